"""The PHI bank through every output: 100% of identifiers redacted, no clinical fact lost."""

from __future__ import annotations

import pytest

from assistant.agent import Assistant
from assistant.tools import ToolDeps
from eval.cli import main
from eval.privacy import BANK_PATH, failures, load_bank, pieces, render, run_bank
from guardrails.phi import find_identifiers, redact_identifiers


@pytest.fixture(scope="module")
def report(fake_retriever_factory):
    assistant = Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))
    return run_bank(assistant)


def test_the_bank_is_large_and_varied() -> None:
    cases = load_bank()
    identifiers = [i for c in cases for i in c.identifiers]
    assert len(identifiers) >= 300 and len(set(identifiers)) >= 250
    kinds = {c.kind for c in cases}
    assert {"patient-name", "clinician", "hospital", "phone", "email", "record-id", "date",
            "date-of-birth", "address", "age-over-89", "clinical-only"} <= kinds  # fmt: skip
    scripts = {"Han", "Hangul", "Cyrillic", "Arabic", "Latin-accented"}
    found = set()
    for identifier in identifiers:
        found |= {"Han"} if any("\u4e00" <= ch <= "\u9fff" for ch in identifier) else set()
        found |= {"Hangul"} if any("\uac00" <= ch <= "\ud7af" for ch in identifier) else set()
        found |= {"Cyrillic"} if any("\u0400" <= ch <= "\u04ff" for ch in identifier) else set()
        found |= {"Arabic"} if any("\u0600" <= ch <= "\u06ff" for ch in identifier) else set()
        found |= {"Latin-accented"} if any(ch in "áéíóúüöäçñãõ" for ch in identifier) else set()
    assert found == scripts
    for case in cases:
        assert all(i in case.text for i in case.identifiers), case.id
        assert all(k in case.text for k in case.keep), case.id


def test_every_identifier_is_redacted_and_every_fact_kept(report) -> None:
    assert failures(report) == []
    assert report.leaked == 0 and report.lost == 0 and report.passed
    assert report.identifiers >= 300 and report.facts >= 1000
    assert report.answers_checked > 250 and not report.answers_altered


def test_the_report_states_both_targets(report) -> None:
    text = render(report, BANK_PATH)
    assert (
        f"identifiers redacted in every output: {report.identifiers}/{report.identifiers}" in text
    )
    assert f"clinical facts kept: {report.facts}/{report.facts} (0 lost)" in text


@pytest.mark.parametrize(
    ("text", "gone", "kept"),
    [
        ("patient john smith, 64M", ["john", "smith"], ["patient", "64M"]),
        ("Jane Doe, 64F, Child-Pugh A", ["Jane", "Doe"], ["64F", "Child-Pugh A"]),
        ("ZHANG Wei, BCLC C, Vp3", ["ZHANG", "Wei"], ["BCLC C", "Vp3"]),
        ("Patient José María Álvarez, ECOG 1", ["José", "María", "Álvarez"], ["ECOG 1"]),
        ("Mr Donald, on atezo/bev (IMbrave150)", ["Donald"], ["atezo/bev", "IMbrave150"]),
        ("+44 20 7946 0958, HIMALAYA STRIDE", ["7946", "0958"], ["HIMALAYA", "STRIDE"]),
        ("ID 12345678 and record 87654321: CP-B7", ["12345678", "87654321"], ["CP-B7"]),
        ("b. 03.04.1956, born in 1956: AFP 400 ng/mL", ["03.04.1956", "1956"], ["AFP 400 ng/mL"]),
        ("A 92-year-old treated in Shanghai", ["92"], ["treated in Shanghai"]),
        ("Seen at Ruijin Hospital by Dr. Okafor", ["Ruijin", "Okafor"], ["Seen at", "Dr."]),
        ("Milan criteria, Child-Pugh B, up-to-7, BCLC", [], ["Milan", "Child-Pugh B", "BCLC"]),
        ("OS 19.2 vs 13.4 months, HR 0.66 (95% CI 0.52–0.85)", [], ["0.52–0.85", "13.4"]),
        # Where the patient is treated decides the region the review's advice depends on; a
        # title makes the same word a person's name.
        ("56M in Manchester UK, CP-A5, PS0", [], ["Manchester UK", "CP-A5"]),
        ("Mr Paris, CP-A5, first line?", ["Paris"], ["CP-A5"]),
    ],
)
def test_examples_from_the_issue(text: str, gone: list[str], kept: list[str]) -> None:
    redacted, _ = redact_identifiers(text)
    for piece in gone:
        assert piece not in redacted, (piece, redacted)
    for fact in kept:
        assert fact in redacted, (fact, redacted)


def test_a_name_is_replaced_whole() -> None:
    spans = find_identifiers("Patient José Álvarez de la Cruz and Mr Donald Trumpington, ECOG 0")
    assert [s.entity for s in spans] == ["NAME", "NAME"]
    assert redact_identifiers("José Álvarez de la Cruz, ECOG 0")[0] == "[NAME], ECOG 0"


def test_pieces_ignore_the_cue_words() -> None:
    assert pieces("Ruijin Hospital") == ["Ruijin"]
    assert pieces("MRN 12345678") == ["12345678"]


def test_the_command(capsys, monkeypatch, fake_retriever_factory, tmp_path) -> None:
    import eval.cli

    small = tmp_path / "bank.yaml"
    small.write_text(
        "cases:\n- {id: a-1, kind: patient-name, text: 'Jane Doe, Child-Pugh A: first line?',"
        " identifiers: [Jane Doe], keep: [Child-Pugh A]}\n"
        "- {id: a-2, kind: patient-name, text: 'Glorfindel Xq, ECOG 1', identifiers:"
        " [Glorfindel Xq], keep: [ECOG 1]}\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(
        eval.cli, "Assistant",
        lambda settings: Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory)),
    )  # fmt: skip
    code = main(["privacy", "--bank", str(small)])
    out, err = capsys.readouterr()
    assert "identifiers redacted in every output:" in out and "clinical facts kept: 2/2" in out
    # A made-up name with no cue and no dictionary entry is the known limit: reported, exit 1.
    assert code == 1 and "LEAK a-2: Glorfindel Xq" in err
