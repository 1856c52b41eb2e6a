from pathlib import Path

import pytest

from corpus.errors import CorpusError
from corpus.parser import load_document, load_outline, parse_document, read_review
from corpus.paths import REVIEW_PATH


@pytest.fixture(scope="module")
def document():
    return load_document()


def test_front_matter(document) -> None:
    assert document.title.startswith("Systemic Treatment for Unresectable Hepatocellular")
    assert document.authors.startswith("Xiao-Dong Zhu, Lei Zhao")
    assert document.abstract.startswith(
        "In recent years, the standard treatment for hepatocellular"
    )
    assert "conversion therapy" in document.keywords


def test_outline_headings_occur_as_lines_in_order() -> None:
    lines = REVIEW_PATH.read_text(encoding="utf-8").splitlines()
    positions = [lines.index(section.heading) for section in load_outline()]
    assert positions == sorted(positions)


def test_sections_carry_their_path(document) -> None:
    section = document.section("after-atezo-bev")
    assert section.level == 3
    assert section.path == (
        "Second-Line Treatment Strategies And Beyond",
        "Second-Line Systemic Treatment Strategies",
        "Second-Line Therapy After Atezo/Bev",
    )


def test_page_break_fragments_are_rejoined(document) -> None:
    texts = [p.text for p in document.paragraphs]
    assert any("sorafenib (n = 191).¹⁵" in t for t in texts)  # "(n" / "= 191)" across a break
    assert any("These guidelines recommend systemic treatment" in t for t in texts)
    assert any("(62.5%) is higher than that of atezo/bev (45%)" in t for t in texts)
    assert any("T cell immunoreceptors" in t for t in texts)


def test_paragraphs_interrupted_by_tables_are_rejoined(document) -> None:
    texts = [p.text for p in document.paragraphs]
    assert any(
        "may enhance the ORR and reduce the PD rate but lead to more adverse events" in t
        for t in texts
    )
    assert any(
        "presented no statistically significant differences (HRs for sorafenib" in t for t in texts
    )
    assert not any(t.startswith(("Table ", "Notes:", "Abbreviations:")) for t in texts)


def test_every_paragraph_ends_a_sentence(document) -> None:
    for paragraph in document.paragraphs:
        assert paragraph.section is not None
        assert paragraph.text.rstrip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻,}{^0123456789–-").endswith((".", ":")), (
            paragraph.text[-60:]
        )


def test_paragraph_citations(document) -> None:
    atezo = document.paragraphs_in("atezo-bev")[0]
    assert {19, 20, 21, 27, 28, 29, 30, 2, 9, 10, 14, 5, 6, 31} <= set(atezo.refs)


def test_figure_caption_and_notes_kept_apart_from_the_text(document) -> None:
    (figure,) = document.figures
    assert figure.number == 1
    assert figure.section.slug == "second-line-systemic"
    assert figure.notes[0].startswith("Notes: The flow chart diagram is for discussion only")
    assert figure.notes[1].startswith("Abbreviations:")
    assert not any("flow chart diagram" in p.text for p in document.paragraphs)


def test_reference_list(document) -> None:
    assert sorted(document.references) == list(range(1, 92))
    leap = document.references[44]
    assert leap.authors == "Llovet JM, Kudo M, Merle P, et al"
    assert leap.title is not None and leap.title.startswith("Lenvatinib plus pembrolizumab versus")
    assert leap.journal == "Lancet Oncol"
    assert leap.year == 2023
    assert leap.doi == "10.1016/S1470-2045(23)00469-2"
    cares = document.references[16]
    assert "(CARES-310)" in (cares.title or "")
    assert cares.doi == "10.1016/S0140-6736(23)00961-3"
    web_page = document.references[32]
    assert web_page.authors is None and web_page.year == 2024
    assert all(r.year is not None for r in document.references.values())


def test_publisher_boilerplate_is_dropped(document) -> None:
    assert not any("Publish your work" in p.text for p in document.paragraphs)
    assert "Dovepress" not in document.references[91].text


def test_tables_are_attached(document) -> None:
    assert [b.number for b in document.table_blocks] == [1, 2, 3]
    assert len(document.table1) == 10
    assert len(document.table2) == 6
    assert len(document.table3) == 12


def test_missing_corpus_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        read_review(tmp_path / "missing.txt")


def test_undecodable_corpus_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Child-Pugh \xe9".encode("latin-1") + b"\xff\xfe")
    with pytest.raises(CorpusError, match="not valid UTF-8"):
        read_review(path)


def test_text_that_is_not_the_review_is_rejected() -> None:
    with pytest.raises(CorpusError):
        parse_document("Table 1 A table\nA\tB\n1\t2\n\nSome unrelated text.\n")
