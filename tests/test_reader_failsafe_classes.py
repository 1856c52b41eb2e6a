"""Classes of misreading found by the second blind phrase bank (2026-12-02), each failing safe."""

from __future__ import annotations

import pytest

from clinical.reader import read_conversation


@pytest.mark.parametrize(
    ("messages", "field", "value"),
    [
        # a treatment refused, failed or undone by recurrence is no treatment
        (
            ["Large varices - on propranolol, no banding (pt refused EVL)."],
            "varices",
            "untreated_or_severe",
        ),
        (
            ["Big varices w/ red spots, banding x1 attempted but failed; remain unbanded."],
            "varices",
            "untreated_or_severe",
        ),
        (
            ["Repeat EGD today: previously banded varices have recurred, not banded yet."],
            "varices",
            "untreated_or_severe",
        ),
        # a treatment that finished the job, or one named beside severity alone, is one
        (["grade 3 varices, banded x3 to eradication"], "varices", "treated"),
        (["EGD: small varices, banded"], "varices", "treated"),
        # varices whose state is open: a screen to come, a doubt said last
        (
            ["EGD pending - scheduled Friday to screen for varices before atezo/bev."],
            "varices",
            "untreated_or_severe",
        ),
        (
            ["Hx: EV banding in 2018 - unclear whether eradication was ever confirmed."],
            "varices",
            "untreated_or_severe",
        ),
        # "RA - on MTX", "h/o RA - active"
        (["RA - on MTX"], "active_autoimmune_disease", True),
        (["h/o RA - on MTX, active."], "active_autoimmune_disease", True),
        # denying other conditions leaves the one stated; denying them all undoes it
        (
            ["h/o lupus, on hydroxychloroquine", "PBC? no - PSC? no"],
            "active_autoimmune_disease",
            True,
        ),
        (["s/p OLT 2015", "no kidney transplant"], "organ_transplant", True),
        (["RA on MTX", "no autoimmune disease actually"], "active_autoimmune_disease", False),
    ],
)
def test_fail_safe_readings(messages: list[str], field: str, value: object) -> None:
    assert read_conversation(messages).profile.get(field) == value


def test_open_varices_are_asked_to_be_confirmed() -> None:
    reading = read_conversation(["EVL 2018, unclear if eradicated"])
    assert "varices" in reading.unconfirmed


def test_a_treatment_history_with_years_lists_every_regimen_in_order() -> None:
    text = (
        "Sequence: sorafenib (2018-19), TACE x2 (2019), lenvatinib (2020-22), "
        "atezo-bev (2022-24, PD). Now PS 1, CP A6, bone mets."
    )
    profile = read_conversation([text]).profile
    assert profile["prior_regimens"] == ["sorafenib", "lenvatinib", "atezolizumab_bevacizumab"]
    assert profile["line"] == "later"


def test_refractory_hypertension_in_plain_words() -> None:
    text = "Patient pressure is very high, we give 3 medicines but still not coming down."
    assert read_conversation([text]).profile["refractory_hypertension"] is True


@pytest.mark.parametrize(
    ("text", "received"),
    [
        # a fate word belongs to the regimen nearest before it, not to regimens asked about
        (
            "ok but then why are rego or apatinib still on the table after lenva fails?",
            ["lenvatinib"],
        ),
        ("is cabozantinib an option after sorafenib failed?", ["sorafenib"]),
        ("would ramucirumab work if lenvatinib progressed?", ["lenvatinib"]),
        # ... and to the regimens listed with it as received
        ("sorafenib, regorafenib failed. next?", ["sorafenib", "regorafenib"]),
        ("sorafenib and regorafenib both failed", ["sorafenib", "regorafenib"]),
        ("atezo-bev then lenvatinib; PD on both", ["atezolizumab_bevacizumab", "lenvatinib"]),
        ("nivolumab in CheckMate 459, then sorafenib at progression", ["nivolumab", "sorafenib"]),
        (
            "Atezo-bev: bev stopped for proteinuria at cycle 2, atezo alone x6 more -> PD.",
            ["atezolizumab_bevacizumab"],
        ),
    ],
)
def test_a_fate_word_attaches_to_the_regimen_it_follows(text: str, received: list[str]) -> None:
    assert read_conversation([text]).profile.get("prior_regimens") == received
