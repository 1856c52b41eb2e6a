"""Later-line rules by failed regimen: ranking, avoid list and certainty, with their passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from rule_core_support import FIT_PATIENT, assert_in_review, avoided, patient, ranking

from clinical.rules import Certainty, later_line, recommend

LATER = {**FIT_PATIENT, "line": "later"}
AFTER_LENVATINIB = [
    "pembrolizumab",
    "nivolumab_ipilimumab",
    "regorafenib",
    "lenvatinib_anti_pd1",
    "apatinib",
    "lenvatinib",
    "tace",
    "sorafenib",
    "cabozantinib",
]
AFTER_LENVATINIB_PLUS_ANTI_PD1 = ["anti_pd1_plus_ipilimumab", "regorafenib", "apatinib"]


def after(*regimens: str, **changes: Any):
    return later_line(patient(LATER, prior_regimens=list(regimens), **changes))


@dataclass(frozen=True)
class Vignette:
    id: str
    prior: tuple[str, ...]
    changes: dict[str, Any]
    ranking: list[str]
    avoid: set[str]
    passage: str
    firmer: set[str] = field(default_factory=set)  # every other option must be tentative


VIGNETTES = [
    Vignette(
        "after-atezo-bev",
        ("atezolizumab_bevacizumab",),
        {},
        ["lenvatinib", "sorafenib", "ici_plus_tki"],
        set(),
        "Therefore, in the absence of a standard second-line treatment regimen for patients "
        "whose condition progresses after first-line atezo/bev, lenvatinib-based treatments are "
        "generally the preferred options.",
        firmer={"lenvatinib", "sorafenib"},
    ),
    Vignette(
        "after-sintilimab-ibi305",
        ("sintilimab_ibi305",),
        {},
        ["lenvatinib", "sorafenib", "ici_plus_tki"],
        set(),
        "This combination exhibits almost the same anti-cancer mechanism of action as atezo/bev.",
    ),
    Vignette(
        "after-stride",
        ("tremelimumab_durvalumab",),
        {},
        ["lenvatinib", "sorafenib"],
        set(),
        "Because the STRIDE combination was only recently approved, there are no reports "
        "regarding second-line therapy using this treatment.",
    ),
    Vignette(
        "after-nivolumab-ipilimumab",
        ("nivolumab_ipilimumab",),
        {},
        ["lenvatinib", "sorafenib"],
        set(),
        "Nevertheless, most guidelines concur that lenvatinib or sorafenib should be used as a "
        "second-line therapy following tumor progression on non-lenvatinib first-line treatments "
        "such as atezo/bev and STRIDE regimen.",
    ),
    Vignette(
        "after-lenvatinib",
        ("lenvatinib",),
        {},
        AFTER_LENVATINIB,
        {"bevacizumab", "ramucirumab"},
        "For patients whose tumors progress after first-line lenvatinib monotherapy, various "
        "guidelines recommend sorafenib, cabozantinib, regorafenib, or immune-based therapies "
        "such as pembrolizumab or ipilimumab plus nivolumab.",
        firmer={"pembrolizumab", "nivolumab_ipilimumab", "regorafenib"},
    ),
    Vignette(
        "after-lenvatinib-heavily-tace-pretreated",
        ("lenvatinib",),
        {"prior_tace": "heavily_pretreated"},
        [r for r in AFTER_LENVATINIB if r != "tace"],
        {"bevacizumab", "ramucirumab", "tace", "tace_lenvatinib_pembrolizumab"},
        "In such patients, hepatic arterial infusion chemotherapy (HAIC) or stereotactic body "
        "radiation therapy (SBRT) may be used as alternative locoregional therapies to TACE.",
        firmer={"pembrolizumab", "nivolumab_ipilimumab", "regorafenib"},
    ),
    Vignette(
        "after-lenvatinib-organ-transplant",
        ("lenvatinib",),
        {"organ_transplant": True},
        ["regorafenib", "apatinib", "lenvatinib", "tace", "sorafenib", "cabozantinib"],
        {
            "bevacizumab",
            "ramucirumab",
            "pembrolizumab",
            "nivolumab_ipilimumab",
            "lenvatinib_anti_pd1",
        },
        "patients who cannot tolerate immune-based therapies because of active auto-immune "
        "diseases or previous organ transplantation",
        firmer={"regorafenib"},
    ),
    Vignette(
        "after-lenvatinib-pembrolizumab",
        ("lenvatinib_pembrolizumab",),
        {},
        AFTER_LENVATINIB_PLUS_ANTI_PD1,
        {"bevacizumab", "ramucirumab"},
        "Anti-PD-1/PD-L1 antibody combined with an anti-CTLA-4 antibody may be considered for "
        "patients whose disease progresses after lenvatinib or lenvatinib plus an "
        "anti-PD-1/PD-L1 antibody.",
    ),
    Vignette(
        "after-tace-lenvatinib-pembrolizumab",
        ("tace_lenvatinib_pembrolizumab",),
        {},
        AFTER_LENVATINIB_PLUS_ANTI_PD1,
        {"bevacizumab", "ramucirumab", "tace", "tace_lenvatinib_pembrolizumab"},
        "including those whose condition progressed after TACE combined with systemic therapy",
    ),
    Vignette(
        "after-lenvatinib-anti-pd1-low-platelets",
        ("lenvatinib_anti_pd1",),
        {"low_platelets": True},
        ["anti_pd1_plus_ipilimumab"],
        {"bevacizumab", "ramucirumab", "regorafenib", "apatinib"},
        "regorafenib and apatinib exhibit more robust inhibitory impacts on vascular endothelial "
        "growth factor receptor 2 (VEGFR2)",
    ),
    Vignette(
        "third-line-after-atezo-bev-then-lenvatinib",
        ("atezolizumab_bevacizumab", "lenvatinib"),
        {},
        AFTER_LENVATINIB,
        {"bevacizumab", "ramucirumab"},
        "Unfortunately, the wide range of first-line treatment options complicates the "
        "exploration and decision-making process for subsequent second-line treatments.",
    ),
    Vignette(
        "after-atezo-bev-child-pugh-b",
        ("atezolizumab_bevacizumab",),
        {"child_pugh_class": "B"},
        ["lenvatinib", "sorafenib", "ici_plus_tki"],
        set(),
        "patient's general condition and liver function",
    ),
]


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_later_line_vignette(vignette: Vignette) -> None:
    assert_in_review(vignette.passage)
    result = after(*vignette.prior, **vignette.changes)
    assert result.setting == "later_line"
    assert ranking(result) == vignette.ranking
    assert avoided(result) == vignette.avoid
    for option in result.recommended:
        expected = Certainty.FIRMER if option.regimen in vignette.firmer else Certainty.TENTATIVE
        assert option.certainty is expected, option.regimen
        assert option.trials, option.regimen


def test_after_atezo_bev_notes_anti_drug_antibodies() -> None:
    assert_in_review(
        "Using the anti-PD-1 antibody or another anti-PD-L1 antibody may overcome the reduced "
        "efficacy caused by ADAs."
    )
    result = after("atezolizumab_bevacizumab")
    assert any(note.rule_id == "LL-ATEZO-BEV-ANTI-DRUG-ANTIBODIES" for note in result.notes)
    continuing = next(o for o in result.recommended if o.regimen == "ici_plus_tki")
    assert {t.id for t in continuing.trials} >= {"asia-pacific-after-atezo-bev", "imbrave251"}


def test_after_atezo_bev_lenvatinib_shows_real_world_figures() -> None:
    lenvatinib = after("atezolizumab_bevacizumab").recommended[0]
    found = {(f.trial, f.metric) for f in lenvatinib.key_figures if f.found}
    assert ("tki-after-atezo-bev-retrospective", "mPFS") in found
    assert ("sequential-therapy-retrospective", "OS_HR") in found


def test_after_stride_says_there_are_no_reports() -> None:
    result = after("tremelimumab_durvalumab")
    assert any("No study has reported" in note.text for note in result.notes)


def test_after_lenvatinib_continuing_it_needs_fitness_and_reserve() -> None:
    result = after("lenvatinib")
    check = next(c for c in result.checks if c.id == "CONTINUE-LENVATINIB-ONLY-IF-FIT")
    assert check.applies_to == ("lenvatinib",)
    assert result.locoregional is not None
    assert [o.regimen for o in result.locoregional.options] == ["tace"]


def test_after_lenvatinib_tace_shows_the_retrospective_os() -> None:
    tace = next(o for o in after("lenvatinib").recommended if o.regimen == "tace")
    texts = {(f.arm, f.metric): f.text for f in tace.key_figures if f.found}
    assert texts[("post_len_tace", "mOS")] and texts[("post_len_sorafenib", "mOS")]


def test_regimen_received_earlier_is_not_offered_again() -> None:
    result = after("atezolizumab_bevacizumab", "lenvatinib", "sorafenib")
    assert result.outside_review is not None  # the last failure, sorafenib, has no guidance
    result = after("sorafenib", "lenvatinib")
    assert "sorafenib" not in ranking(result)
    entry = next(a for a in result.avoid if a.regimen == "sorafenib")
    assert entry.rule_ids == ("SAFETY-ALREADY-RECEIVED",)


@pytest.mark.parametrize(
    ("prior", "fragment"),
    [
        (("sorafenib",), "after first-line sorafenib fails"),
        (("donafenib",), "no sequencing guidance"),
        (("regorafenib",), "no sequencing guidance"),
    ],
)
def test_failed_regimens_without_guidance_get_an_honest_statement(
    prior: tuple[str, ...], fragment: str
) -> None:
    assert_in_review(
        "However, they are only used after the failure of first-line sorafenib treatment or "
        "chemotherapy."
    )
    result = after(*prior)
    assert result.recommended == ()
    assert result.outside_review and fragment in result.outside_review


def test_later_line_without_the_failed_regimen_asks_for_it() -> None:
    result = later_line(patient(LATER))
    assert result.recommended == ()
    assert result.outside_review and "prior_regimens" in result.outside_review


def test_later_line_outside_the_trial_population() -> None:
    result = after("lenvatinib", child_pugh_class="C")
    assert result.recommended == ()
    assert "LL-OUTSIDE-TRIAL-POPULATION" in result.rules_fired


def test_recommend_dispatches_on_prior_regimens() -> None:
    profile = patient(line="unknown", prior_regimens=["atezo/bev"])
    assert profile.prior_regimens == ("atezolizumab_bevacizumab",)
    assert recommend(profile).setting == "later_line"
    assert recommend(profile) == later_line(profile)
