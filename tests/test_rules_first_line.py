"""First-line rules: one vignette per branch, ranking and avoid list, with the passage behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from rule_core_support import assert_in_review, avoided, patient, ranking

from clinical.rules import Certainty, first_line, recommend

ATEZO_BEV = "atezolizumab_bevacizumab"
STRIDE = "tremelimumab_durvalumab"
BEVACIZUMAB_COMBINATIONS = {
    ATEZO_BEV,
    "sintilimab_ibi305",
    "toripalimab_bevacizumab",
    "sct_i10a_sct510",
}
FIT_MAINTENANCE_ELSEWHERE = [
    ATEZO_BEV,
    STRIDE,
    "lenvatinib",
    "lenvatinib_pembrolizumab",
    "camrelizumab_apatinib",
    "anlotinib_penpulimab",
    "nivolumab_ipilimumab",
]
FIT_MAINTENANCE_CHINA = [
    ATEZO_BEV,
    STRIDE,
    "sintilimab_ibi305",
    "lenvatinib",
    "lenvatinib_pembrolizumab",
    "camrelizumab_apatinib",
    "anlotinib_penpulimab",
    "toripalimab_bevacizumab",
    "sct_i10a_sct510",
    "nivolumab_ipilimumab",
]
IMMUNE_BASED_FIRST_LINE = set(FIT_MAINTENANCE_CHINA) - {"lenvatinib"}


@dataclass(frozen=True)
class Vignette:
    id: str
    changes: dict[str, Any]
    ranking: list[str]
    avoid: set[str]
    passage: str  # verbatim from the review: why this is the expected answer
    tentative: set[str] = field(default_factory=set)


VIGNETTES = [
    Vignette(
        "fit-maintenance-outside-china",
        {},
        FIT_MAINTENANCE_ELSEWHERE,
        {"cabozantinib_atezolizumab"},
        "Atezo/bev is currently viewed as the preferred first-line systemic treatment option in "
        "most guidelines.",
        tentative={
            "lenvatinib_pembrolizumab",
            "camrelizumab_apatinib",
            "anlotinib_penpulimab",
            "nivolumab_ipilimumab",
        },
    ),
    Vignette(
        "fit-maintenance-china",
        {"region": "china"},
        FIT_MAINTENANCE_CHINA,
        {"cabozantinib_atezolizumab"},
        "The combination of sintilimab plus a bevacizumab biosimilar is recommended as the "
        "first-line systemic treatment option in Chinese guidelines.",
    ),
    Vignette(
        "untreated-varices-no-bevacizumab",
        {"region": "china", "varices": "untreated_or_severe"},
        [r for r in FIT_MAINTENANCE_CHINA if r not in BEVACIZUMAB_COMBINATIONS],
        {"cabozantinib_atezolizumab", *BEVACIZUMAB_COMBINATIONS},
        "it is necessary for patients seeking atezo/bev treatment to undergo an "
        "esophagogastroduodenoscopy to exclude those with untreated or severe esophageal or "
        "gastric varices",
    ),
    Vignette(
        "treated-varices-keep-bevacizumab",
        {"varices": "treated"},
        FIT_MAINTENANCE_ELSEWHERE,
        {"cabozantinib_atezolizumab"},
        "to exclude those with untreated or severe esophageal or gastric varices",
    ),
    Vignette(
        "conversion-china",
        {"region": "china", "goal": "conversion"},
        [
            "lenvatinib_anti_pd1",
            "camrelizumab_apatinib",
            ATEZO_BEV,
            "sintilimab_ibi305",
            "lenvatinib",
        ],
        {STRIDE, "cabozantinib_atezolizumab"},
        "As a result, a combination of lenvatinib and anti-PD-1 antibody is the preferred "
        "first-line systemic treatment option for patients hoping to undergo downstaging "
        "resection.",
        tentative={"camrelizumab_apatinib", "sintilimab_ibi305", "lenvatinib"},
    ),
    Vignette(
        "conversion-outside-china",
        {"goal": "conversion"},
        ["lenvatinib_anti_pd1", "camrelizumab_apatinib", ATEZO_BEV, "lenvatinib"],
        {STRIDE, "cabozantinib_atezolizumab"},
        "this combination may be not suitable for patients with borderline resectable HCC, "
        "whose treatment goal is downstaging resection",
    ),
    Vignette(
        "large-burden-no-stride",
        {"tumour": {"largest_size_cm": 9, "tumour_count": 2}},
        [r for r in FIT_MAINTENANCE_ELSEWHERE if r != STRIDE],
        {STRIDE, "cabozantinib_atezolizumab"},
        "It also may not be appropriate for patients with a large tumor burden since if PD "
        "occurs, they may lose the opportunity to receive second-line therapy.",
    ),
    Vignette(
        "main-trunk-thrombus-no-stride",
        {"tumour": {"pvtt_grade": "vp4"}},
        [r for r in FIT_MAINTENANCE_ELSEWHERE if r != STRIDE],
        {STRIDE, "cabozantinib_atezolizumab"},
        "or those with a main portal vein tumor thrombus",
    ),
    Vignette(
        "organ-transplant-tki-monotherapy",
        {"region": "china", "organ_transplant": True},
        ["lenvatinib", "donafenib", "sorafenib"],
        {"cabozantinib_atezolizumab", *IMMUNE_BASED_FIRST_LINE},
        "Monotherapies are ideal first-line treatment options for patients who cannot tolerate "
        "immune-based therapies because of active auto-immune diseases or previous organ "
        "transplantation.",
        tentative={"sorafenib"},
    ),
    Vignette(
        "autoimmune-disease-outside-china",
        {"active_autoimmune_disease": True},
        ["lenvatinib", "sorafenib"],
        {"cabozantinib_atezolizumab", *(set(FIT_MAINTENANCE_ELSEWHERE) - {"lenvatinib"})},
        "Tyrosine kinase inhibitor monotherapies include lenvatinib, sorafenib, and donafenib "
        "(only in China).",
    ),
    Vignette(
        "low-platelets-ici-monotherapy",
        {"low_platelets": True},
        [STRIDE, "durvalumab", "tislelizumab", "nivolumab_ipilimumab"],
        {
            "cabozantinib_atezolizumab",
            ATEZO_BEV,
            "lenvatinib",
            "lenvatinib_pembrolizumab",
            "camrelizumab_apatinib",
            "anlotinib_penpulimab",
        },
        "durvalumab or tislelizumab monotherapy may be suitable for patients with "
        "contraindications for targeted therapy or those who cannot tolerate targeted therapy",
        tentative={"durvalumab", "tislelizumab", "nivolumab_ipilimumab"},
    ),
    Vignette(
        "refractory-hypertension-and-conversion",
        {"refractory_hypertension": True, "goal": "conversion"},
        ["durvalumab", "tislelizumab"],
        {
            STRIDE,
            "cabozantinib_atezolizumab",
            "lenvatinib_anti_pd1",
            "camrelizumab_apatinib",
            ATEZO_BEV,
            "lenvatinib",
        },
        "such as patients with low platelet count or refractory hypertension",
    ),
    Vignette(
        "child-pugh-b",
        {"child_pugh_class": "B", "child_pugh_score": 8, "ecog": 1},
        [STRIDE, "nivolumab", "tislelizumab"],
        {"cabozantinib_atezolizumab"},
        "indicated that nivolumab exhibits anti-cancer effects and has a tolerable safety "
        "profile in HCC patients with impaired liver function (Child-Pugh B cirrhosis)",
        tentative={STRIDE, "nivolumab", "tislelizumab"},
    ),
    Vignette(
        "child-pugh-b-large-burden",
        {"child_pugh_class": "B", "tumour": {"up_to_7": "beyond", "largest_size_cm": None}},
        ["nivolumab", "tislelizumab"],
        {STRIDE, "cabozantinib_atezolizumab"},
        "Thus, it is possible that tislelizumab monotherapy could also be used to treat such "
        "patients.",
    ),
    Vignette(
        "ecog-2",
        {"ecog": 2},
        [STRIDE],
        {"cabozantinib_atezolizumab"},
        "the STRIDE regimen was considered in patients with Eastern Cooperative Oncology Group "
        "Performance Status (ECOG PS) 2 or Child-Pugh B liver cirrhosis in a phase IIIb study in "
        "China (CTR20222433)",
        tentative={STRIDE},
    ),
    Vignette(
        "intermediate-stage",
        {"bclc_stage": "B1"},
        [ATEZO_BEV, "tace_lenvatinib_pembrolizumab", *FIT_MAINTENANCE_ELSEWHERE[1:]],
        {"cabozantinib_atezolizumab"},
        "Based on this study, TACE in combination with len/pembro may become the new "
        "standard-of-care for patients with intermediate-stage HCC.",
        tentative={"tace_lenvatinib_pembrolizumab"},
    ),
    Vignette(
        "intermediate-stage-heavily-tace-pretreated",
        {"bclc_stage": "B2", "prior_tace": "heavily_pretreated"},
        FIT_MAINTENANCE_ELSEWHERE,
        {"cabozantinib_atezolizumab", "tace", "tace_lenvatinib_pembrolizumab"},
        "Nevertheless, locoregional therapy may be not suitable for patients heavily pretreated "
        "with TACE",
    ),
]


@pytest.mark.parametrize("vignette", VIGNETTES, ids=lambda v: v.id)
def test_first_line_vignette(vignette: Vignette) -> None:
    assert_in_review(vignette.passage)
    result = first_line(patient(**vignette.changes))
    assert ranking(result) == vignette.ranking
    assert avoided(result) == vignette.avoid
    assert [o.rank for o in result.recommended] == list(range(1, len(result.recommended) + 1))
    for option in result.recommended:
        expected = Certainty.TENTATIVE if option.regimen in vignette.tentative else None
        if expected:
            assert option.certainty is expected, option.regimen
    assert result.outside_review is None


@pytest.mark.parametrize(
    "changes",
    [
        {"child_pugh_class": "C"},
        {"child_pugh_class": "unknown", "child_pugh_score": 12},
        {"ecog": 3},
        {"bclc_stage": "D"},
    ],
    ids=["child-pugh-c", "score-12", "ecog-3", "bclc-d"],
)
def test_outside_the_trial_population_gets_no_regimen(changes: dict[str, Any]) -> None:
    assert_in_review("These trials only recruited fit patients with compensated liver function")
    result = first_line(patient(**changes))
    assert result.recommended == ()
    assert result.outside_review and "supports no first-line systemic regimen" in (
        result.outside_review
    )
    assert "FL-OUTSIDE-TRIAL-POPULATION" in result.rules_fired


def test_both_contraindications_leave_nothing_and_say_so() -> None:
    result = first_line(patient(organ_transplant=True, low_platelets=True))
    assert result.recommended == ()
    assert result.outside_review and "supports no systemic option" in result.outside_review
    assert {"lenvatinib", "sorafenib", STRIDE} <= avoided(result)


def test_unknown_varices_keep_bevacizumab_only_behind_an_egd() -> None:
    result = first_line(patient(region="china", varices="unknown", egd_done=None))
    assert ranking(result) == FIT_MAINTENANCE_CHINA
    egd = next(c for c in result.checks if c.id == "SAFETY-EGD-BEFORE-BEVACIZUMAB")
    assert set(egd.applies_to) == BEVACIZUMAB_COMBINATIONS
    assert "esophagogastroduodenoscopy" in egd.text
    for option in result.recommended:
        has_check = "SAFETY-EGD-BEFORE-BEVACIZUMAB" in option.checks
        assert has_check is (option.regimen in BEVACIZUMAB_COMBINATIONS)


def test_no_varices_but_no_egd_still_requires_one() -> None:
    result = first_line(patient(varices="none", egd_done=False))
    assert "SAFETY-EGD-BEFORE-BEVACIZUMAB" in {c.id for c in result.checks}


def test_egd_that_cleared_varices_needs_no_check() -> None:
    assert "SAFETY-EGD-BEFORE-BEVACIZUMAB" not in {c.id for c in first_line(patient()).checks}


def test_conversion_with_atezo_bev_asks_for_the_bevacizumab_pause() -> None:
    assert_in_review(
        "After bevacizumab treatment is discontinued, atezolizumab monotherapy is used for one "
        "treatment cycle."
    )
    result = first_line(patient(goal="conversion"))
    pause = next(c for c in result.checks if c.id == "BEVACIZUMAB-PAUSE-BEFORE-RESECTION")
    assert pause.applies_to == (ATEZO_BEV,)
    assert "4-6 weeks" in pause.text and "one cycle of atezolizumab" in pause.text
    assert result.resectability is not None


def test_maintenance_has_no_surgery_checks_or_resectability() -> None:
    result = first_line(patient())
    assert "BEVACIZUMAB-PAUSE-BEFORE-RESECTION" not in {c.id for c in result.checks}
    assert result.resectability is None


def test_lenvatinib_anti_pd1_carries_the_china_approval_note() -> None:
    assert_in_review(
        "The combination is not approved as a first-line systemic treatment for hepatocellular "
        "carcinoma in China."
    )
    result = first_line(patient(goal="conversion", region="china"))
    top = result.recommended[0]
    assert top.regimen == "lenvatinib_anti_pd1"
    assert top.regional_notes == ("Not approved as first-line treatment in China.",)
    assert "lenvatinib_anti_pd1" in {note.regimen for note in result.regional_notes}
    elsewhere = first_line(patient(goal="conversion", region="elsewhere"))
    assert elsewhere.recommended[0].regional_notes == ()


def test_outside_china_note_explains_missing_regimens() -> None:
    notes = [note.rule_id for note in first_line(patient()).notes]
    assert "FL-REGION-OUTSIDE-CHINA" in notes


def test_unstated_goal_ranks_for_maintenance_and_says_so() -> None:
    result = first_line(patient(goal="unknown"))
    assert ranking(result) == FIT_MAINTENANCE_ELSEWHERE
    assert any(note.rule_id == "FL-GOAL-UNSTATED" for note in result.notes)


def test_unknown_fitness_and_contraindications_become_checks() -> None:
    result = first_line(patient(base={"region": "elsewhere"}))
    ids = {check.id for check in result.checks}
    assert {
        "CONFIRM-CHILD-PUGH-AND-ECOG",
        "SCREEN-ICI-CONTRAINDICATIONS",
        "SCREEN-TARGETED-CONTRAINDICATIONS",
        "CONFIRM-TUMOUR-BURDEN-BEFORE-STRIDE",
        "SAFETY-EGD-BEFORE-BEVACIZUMAB",
    } <= ids
    assert ranking(result) == FIT_MAINTENANCE_ELSEWHERE


def test_key_figures_come_from_the_trial_records() -> None:
    top = first_line(patient()).recommended[0]
    by_metric = {f.metric: f for f in top.key_figures if f.source == "Table 1"}
    assert by_metric["PD_rate"].found and by_metric["PD_rate"].text == "19"
    assert by_metric["OS_HR"].versus == "sorafenib"
    assert {t.name for t in top.trials} == {"IMbrave150"}


def test_stride_avoid_entry_shows_its_pd_rate_from_the_records() -> None:
    entry = next(a for a in first_line(patient(goal="conversion")).avoid if a.regimen == STRIDE)
    assert [(f.metric, f.text) for f in entry.key_figures if f.source == "Table 1"] == [
        ("PD_rate", "39.9")
    ]


def test_recommend_dispatches_a_systemic_naive_profile_to_first_line() -> None:
    profile = patient(line="unknown")
    assert recommend(profile) == first_line(profile)
    assert recommend(profile).setting == "first_line"
