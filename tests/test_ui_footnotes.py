"""Inline citations become numbered footnotes holding the review's passage and full reference."""

from __future__ import annotations

from corpus.sources import Citation, default_locator
from ui.footnotes import (
    MARKER_OPEN,
    citation_buttons,
    footnote_answer,
    footnotes_html,
    marker,
    marker_numbers,
    parse_label,
    parse_refs,
    strip_reference_list,
)

QUOTE = (
    "bevacizumab may induce an elevated risk of bleeding in patients with severe esophageal "
    "and gastric varices"
)
ANSWER = (
    "1. **Lenvatinib** (tentative): relatively high ORR. [LEAP-002, REFLECT; refs 22, 24]\n"
    "- **Atezolizumab + bevacizumab**: varices. [IMbrave150; refs 5, 6, 10, 19]\n"
    "- Again [IMbrave150; refs 5, 6, 10, 19] and a placeholder [NAME] and a [link](x).\n"
    "\n**References**\n19. Finn RS ...\n24. Finn RS ...\n\n_Decision support only._"
)
CITATIONS = [
    Citation(trial="IMbrave150", trial_id="imbrave150", refs=(19,), quote=QUOTE, quotes=(QUOTE,),
             chunk_ids=("atezo-bev/p1.3", "table1/imbrave150")),
    Citation(trial="LEAP-002", trial_id="leap-002", refs=(24,), chunk_ids=("table1/leap-002",)),
]  # fmt: skip


def test_refs_and_labels_parse() -> None:
    assert parse_refs("refs 2, 9, 19–21") == (2, 9, 19, 20, 21)
    assert parse_refs("ref 24") == (24,)
    assert parse_refs("NAME") == ()
    assert parse_label("LEAP-002; ref 24", []) == (("LEAP-002",), (24,))
    assert parse_label("refs 2, 10", []) == ((), (2, 10))
    assert parse_label("ORIENT-32, IMbrave150; refs 5, 6", []) == (
        ("ORIENT-32", "IMbrave150"),
        (5, 6),
    )
    assert parse_label("NAME", ["LEAP-002"]) == ((), ())
    assert parse_label("LEAP-002", ["LEAP-002"]) == (("LEAP-002",), ())


def test_each_label_gets_one_number_and_markers_replace_it() -> None:
    result = footnote_answer(ANSWER, CITATIONS)
    assert [f.number for f in result.footnotes] == [1, 2]
    assert "[LEAP-002, REFLECT; refs 22, 24]" not in result.body
    assert marker_numbers(result.body) == [1, 2, 2]  # the repeated label reuses its number
    assert "[NAME]" in result.body and "[link](x)" in result.body  # not citations


def test_markers_become_citation_buttons_and_typed_markers_are_not_ours() -> None:
    result = footnote_answer(f"Typed {MARKER_OPEN}7\ue001 here [LEAP-002; ref 24]", CITATIONS)
    assert marker_numbers(result.body) == [1]  # the typed private-use characters are dropped
    shown = citation_buttons(f"<p>x {marker(1)}</p>", result.footnotes)
    assert shown == (
        '<p>x <button type="button" class="fn-ref fn-1" title="LEAP-002; ref 24">[1]</button></p>'
    )


def test_footnote_holds_the_exact_passage_and_full_references() -> None:
    imbrave = footnote_answer(ANSWER, CITATIONS).footnotes[1]
    assert imbrave.refs == (5, 6, 10, 19)
    chunk_ids = [p.chunk_id for p in imbrave.passages]
    assert chunk_ids[0] == "atezo-bev/p1.3" and "table1/imbrave150" in chunk_ids
    assert QUOTE in " ".join(imbrave.passages[0].text.split())
    reference = next(r for r in imbrave.references if r.number == 19)
    assert reference.authors and reference.authors.startswith("Finn RS")
    assert reference.journal == "N Engl J Med" and reference.year == 2020
    assert reference.doi == "10.1056/NEJMoa1915745"


def test_html_folds_each_note_with_highlighted_quote_and_doi_link() -> None:
    notes = footnote_answer(ANSWER, CITATIONS).footnotes
    html = footnotes_html(notes)
    assert html.count("<details") == 2 and "<summary>[2] IMbrave150; refs 5, 6, 10, 19" in html
    assert '<details class="footnote fn-note-2">' in html  # what a citation button opens
    assert f"<mark>{QUOTE}</mark>" in html
    assert 'href="https://doi.org/10.1056/NEJMoa1915745"' in html
    assert "^{" not in html  # the review's own markers shown as superscripts


def test_the_short_reference_list_is_dropped_and_the_disclaimer_kept() -> None:
    stripped = strip_reference_list(ANSWER)
    assert "**References**" not in stripped and "Finn RS" not in stripped
    assert stripped.endswith("_Decision support only._")


def test_a_passage_line_cites_the_chunk_it_names() -> None:
    answer = "> quoted text\n— *Section* (`ici-resistance/p1.2`) [IMbrave150; refs 64, 65]"
    note = footnote_answer(answer, CITATIONS).footnotes[0]
    assert note.passages[0].chunk_id == "ici-resistance/p1.2"
    assert "anti-drug antibodies" in note.passages[0].text


def test_refs_only_label_finds_a_passage_citing_them() -> None:
    note = footnote_answer("- Check first. [refs 2, 10]", []).footnotes[0]
    chunk = default_locator().chunk(note.passages[0].chunk_id)
    assert chunk is not None and {2, 10} <= set(chunk.refs)
    assert [r.number for r in note.references] == [2, 10]
