import pytest

from corpus.chunking import MAX_CHUNK_CHARS, chunk_document, no_trials, pack, split_sentences
from corpus.citations import strip_markers
from corpus.parser import load_document


@pytest.fixture(scope="module")
def chunks():
    return chunk_document(load_document(), no_trials)


def test_ids_are_unique_and_stable_across_runs(chunks) -> None:
    again = chunk_document(load_document(), no_trials)
    assert [c.id for c in chunks] == [c.id for c in again]
    assert len({c.id for c in chunks}) == len(chunks)


def test_ids_follow_the_outline(chunks) -> None:
    ids = {c.id for c in chunks}
    assert {"abstract", "atezo-bev/p1.1", "locoregional/p1.2", "figure1", "table3"} <= ids
    assert "table1/imbrave150" in ids and "table1/leap-002" in ids and "table1/notes" in ids
    assert "table2/atezolizumab-bevacizumab" in ids
    assert "ref/1" in ids and "ref/91" in ids


def test_text_chunks_fit_the_embedding_window(chunks) -> None:
    for chunk in chunks:
        if chunk.kind == "paragraph":
            assert len(chunk.text) <= MAX_CHUNK_CHARS, chunk.id


def test_paragraph_chunks_cover_the_review_text_exactly(chunks) -> None:
    document = load_document()
    for paragraph in document.paragraphs:
        assert paragraph.section is not None
        base = f"{paragraph.section.slug}/p{paragraph.index}"
        parts = [c.text for c in chunks if c.id == base or c.id.startswith(base + ".")]
        assert " ".join(parts) == paragraph.text


def test_tables_are_chunked_as_tables_not_shredded(chunks) -> None:
    imbrave = next(c for c in chunks if c.id == "table1/imbrave150")
    assert imbrave.kind == "table"
    assert imbrave.refs == (19, 20, 21)
    # Both arms with every column travel together, under the table's caption.
    assert imbrave.text.startswith("Table 1 Summary of Efficacy and Safety Data")
    assert (
        "atezolizumab + bevacizumab: mOS, mo 19.2; OS, HR (95% CI) 0.66 (0.52–0.85)" in imbrave.text
    )
    assert "sorafenib: mOS, mo 13.4" in imbrave.text
    assert "PD rate, % 19" in imbrave.text and "PD rate, % 25" in imbrave.text
    table3 = next(c for c in chunks if c.id == "table3")
    assert "VEGFR-2\t21\t3\t4.2\t0.035" in table3.text


def test_metadata(chunks) -> None:
    chunk = next(c for c in chunks if c.id == "after-lenvatinib/p3")
    assert (
        chunk.section_path[-1]
        == "Second-Line Therapy After Lenvatinib or Lenvatinib Plus an Anti-PD-1 Antibody"
    )
    assert chunk.refs == (82, 83, 84)
    assert "Second-Line" in chunk.search_text()
    assert "^{" not in chunk.search_text()


def test_search_text_drops_citation_markers(chunks) -> None:
    chunk = next(c for c in chunks if c.id == "atezo-bev/p1.1")
    assert chunk.search_text().endswith(strip_markers(chunk.text))


def test_split_sentences_respects_abbreviations() -> None:
    text = "OS was 19.2 vs. 13.4 months (Finn et al. 2020).¹⁹ Next sentence. (Third) one."
    assert split_sentences(text) == [
        "OS was 19.2 vs. 13.4 months (Finn et al. 2020).¹⁹",
        "Next sentence.",
        "(Third) one.",
    ]


def test_pack_balances_parts() -> None:
    sentences = ["x" * 300] * 4  # 1204 characters: two parts of two sentences, not 3 + 1
    parts = pack(sentences, limit=900)
    assert [len(p) for p in parts] == [601, 601]
    assert pack(["short."], limit=900) == ["short."]
