"""The clinical reader on clinicians' plain language: one row per phrasing, the whole profile.

Every row states the whole profile read, so a stray field (a tumour count read out of "6 cm", a
transplant read out of "transplant candidate") fails as surely as a missing one; `unconfirmed`
lists the facts held at their fail-safe value because the words leave them unclear. Every
reading without problems must also validate as a `PatientProfile`.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clinical.profile import parse_profile
from clinical.reader import read


def _t(**tumour: Any) -> dict[str, Any]:
    return {"tumour": tumour}


LATER = {"line": "later"}

CASES: list[tuple[str, dict[str, Any]]] = [
    # Child-Pugh
    ("CP-A", {"child_pugh_class": "A"}),
    ("CP-B7", {"child_pugh_class": "B", "child_pugh_score": 7}),
    ("Child-Pugh B (score 8)", {"child_pugh_class": "B", "child_pugh_score": 8}),
    ("Child-Pugh B, score 8", {"child_pugh_class": "B", "child_pugh_score": 8}),
    ("Child Pugh A5", {"child_pugh_class": "A", "child_pugh_score": 5}),
    ("CPB", {"child_pugh_class": "B"}),
    ("child-pugh class C", {"child_pugh_class": "C"}),
    ("Child-Pugh score 6", {"child_pugh_score": 6}),
    ("Child pugh b", {"child_pugh_class": "B"}),
    ("Child–Pugh A liver function", {"child_pugh_class": "A"}),
    ("CHILD-PUGH C10", {"child_pugh_class": "C", "child_pugh_score": 10}),
    ("Child-Pugh B, 2 lesions", {"child_pugh_class": "B", **_t(tumour_count=2)}),
    # ECOG / performance status
    ("ECOG 0", {"ecog": 0}),
    ("PS 2", {"ecog": 2}),
    ("ECOG PS 1", {"ecog": 1}),
    ("performance status of 3", {"ecog": 3}),
    ("ECOG1", {"ecog": 1}),
    ("ecog: 2", {"ecog": 2}),
    ("ECOG 0-1 required?", {}),  # a range is an eligibility criterion, not a patient
    # BCLC
    ("BCLC-C", {"bclc_stage": "C"}),
    ("BCLC B2", {"bclc_stage": "B2"}),
    ("BCLC stage A", {"bclc_stage": "A"}),
    ("intermediate-stage HCC", {"bclc_stage": "B"}),
    ("advanced stage disease", {"bclc_stage": "C"}),
    # varices and EGD
    ("untreated varices", {"varices": "untreated_or_severe"}),
    ("large esophageal varices", {"varices": "untreated_or_severe"}),
    ("severe varices", {"varices": "untreated_or_severe"}),
    ("high-risk varices", {"varices": "untreated_or_severe"}),
    ("small varices", {"varices": "untreated_or_severe"}),
    ("banded varices", {"varices": "treated"}),
    ("ligated gastric varices", {"varices": "treated"}),
    ("s/p EVL", {"varices": "treated"}),
    ("varices were banded", {"varices": "treated"}),
    ("large varices that were banded", {"varices": "treated"}),
    ("varices not yet banded", {"varices": "untreated_or_severe"}),
    ("no varices", {"varices": "none", "egd_done": True}),
    ("EGD clean", {"varices": "none", "egd_done": True}),
    ("EGD negative", {"varices": "none", "egd_done": True}),
    ("EGD showed no varices", {"varices": "none", "egd_done": True}),
    ("varices: none", {"varices": "none", "egd_done": True}),
    ("no varices on CT", {"varices": "none"}),  # imaging, not endoscopy
    # Named without a state, or only large ones denied: possibly untreated (fail safe).
    ("varices", {"varices": "untreated_or_severe", "unconfirmed": ["varices"]}),
    ("no high-risk varices", {"varices": "untreated_or_severe", "unconfirmed": ["varices"]}),
    ("EGD not done yet", {"egd_done": False}),
    ("no EGD", {"egd_done": False}),
    (
        "varices on CT, EGD pending",
        {"varices": "untreated_or_severe", "egd_done": False, "unconfirmed": ["varices"]},
    ),
    ("EGD last month showed small varices", {"varices": "untreated_or_severe", "egd_done": True}),
    ("untreated HCC, banded varices", {"varices": "treated"}),
    # transplant
    ("s/p liver transplant", {"organ_transplant": True}),
    ("post-transplant recurrence", {"organ_transplant": True}),
    ("transplant recipient", {"organ_transplant": True}),
    ("recurrence in the liver graft", {"organ_transplant": True}),
    ("kidney transplant 2015", {"organ_transplant": True}),
    ("transplant candidate", {}),
    ("listed for transplant", {}),
    ("not a transplant candidate", {}),
    ("beyond Milan, referred for liver transplant evaluation", {}),
    ("without transplant", {"organ_transplant": False}),
    ("no history of organ transplantation", {"organ_transplant": False}),
    ("s/p stem cell transplant", {}),  # not a solid organ
    # autoimmune
    ("lupus", {"active_autoimmune_disease": True}),
    ("SLE on hydroxychloroquine", {"active_autoimmune_disease": True}),
    ("Crohn’s disease", {"active_autoimmune_disease": True}),
    ("rheumatoid arthritis", {"active_autoimmune_disease": True}),
    ("active autoimmune disease", {"active_autoimmune_disease": True}),
    ("no autoimmune disease", {"active_autoimmune_disease": False}),
    ("no lupus", {"active_autoimmune_disease": False}),
    ("denies autoimmune disease", {"active_autoimmune_disease": False}),
    ("autoimmune disease: none", {"active_autoimmune_disease": False}),
    (
        "no varices but has lupus",
        {"varices": "none", "egd_done": True, "active_autoimmune_disease": True},
    ),
    (
        "no autoimmune disease, transplant or thrombocytopenia",
        {"active_autoimmune_disease": False, "organ_transplant": False, "low_platelets": False},
    ),
    # platelets, blood pressure
    ("low platelets", {"low_platelets": True}),
    ("thrombocytopenia", {"low_platelets": True}),
    ("platelet count is low", {"low_platelets": True}),
    ("no thrombocytopenia", {"low_platelets": False}),
    ("refractory hypertension", {"refractory_hypertension": True}),
    ("uncontrolled HTN", {"refractory_hypertension": True}),
    ("poorly controlled blood pressure", {"refractory_hypertension": True}),
    ("well-controlled hypertension", {"refractory_hypertension": False}),
    # goal
    ("hoping for resection", {"goal": "conversion"}),
    ("hoping to downstage", {"goal": "conversion"}),
    ("conversion therapy", {"goal": "conversion"}),
    ("potentially resectable", {"goal": "conversion"}),
    ("borderline resectable", {"goal": "conversion"}),
    ("neoadjuvant", {"goal": "conversion"}),
    ("palliative intent", {"goal": "maintenance"}),
    ("long-term control", {"goal": "maintenance"}),
    ("not a surgical candidate", {"goal": "maintenance"}),
    ("not hoping for resection", {"goal": "maintenance"}),
    ("no plans for surgery", {"goal": "maintenance"}),
    ("borderline liver function", {}),
    # line and prior regimens
    ("progressed on atezo/bev", {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER}),
    ("after STRIDE", {"prior_regimens": ["tremelimumab_durvalumab"], **LATER}),
    ("failed lenvatinib", {"prior_regimens": ["lenvatinib"], **LATER}),
    ("len/pembro failure", {"prior_regimens": ["lenvatinib_pembrolizumab"], **LATER}),
    (
        "progression on lenvatinib plus pembrolizumab",
        {"prior_regimens": ["lenvatinib_pembrolizumab"], **LATER},
    ),
    (
        "progressed on lenvatinib and pembrolizumab",
        {"prior_regimens": ["lenvatinib_pembrolizumab"], **LATER},
    ),
    (
        "progressed on atezolizumab/bevacizumab",
        {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER},
    ),
    ("progressed on ATEZO-BEV", {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER}),
    (
        "failed sorafenib, then regorafenib",
        {"prior_regimens": ["sorafenib", "regorafenib"], **LATER},
    ),
    (
        "after atezo/bev, lenvatinib or cabozantinib?",
        {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER},
    ),
    (
        "progressed on first-line atezo/bev, on it for 8 months",
        {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER},
    ),
    ("intolerant of sorafenib", {"prior_regimens": ["sorafenib"], **LATER}),
    ("second-line", LATER),
    ("2L options", LATER),
    ("failed first-line therapy", LATER),
    ("treatment-naive", {"line": "first", "prior_tace": "none"}),  # no TACE either
    ("first-line", {"line": "first"}),
    ("systemic treatment-naïve", {"line": "first"}),
    # region
    ("in China", {"region": "china"}),
    ("Chinese patient", {"region": "china"}),
    ("in Europe", {"region": "elsewhere"}),
    ("US patient", {"region": "elsewhere"}),
    ("treated outside China", {"region": "elsewhere"}),
    # portal vein and vena cava
    ("Vp1", _t(pvtt_grade="vp1")),
    ("Vp2 PVTT", _t(pvtt_grade="vp2")),
    ("Vp 3 tumour thrombus", _t(pvtt_grade="vp3")),
    ("Vp4", _t(pvtt_grade="vp4")),
    ("main PVTT", _t(pvtt_grade="vp4")),
    ("main portal vein thrombus", _t(pvtt_grade="vp4")),
    ("tumour thrombus in the right portal vein", _t(pvtt_grade="vp3")),
    ("no PVTT", _t(pvtt_grade="vp0")),
    ("PVTT into the contralateral lobe", _t(pvtt_grade="vp4", pvtt_contralateral=True)),
    ("PVTT extending to the SMV", _t(pvtt_grade="vp4", pvtt_reaches_smv=True)),
    ("Vp3-4", {}),  # a range: the grade is not stated
    ("IVC thrombus reaching the atrium", _t(ivc_thrombus="reaches_atrium")),
    ("tumour thrombus in the IVC below the atrium", _t(ivc_thrombus="below_atrium")),
    ("IVC thrombus, atrial fibrillation", _t(ivc_thrombus="below_atrium")),
    ("no IVC thrombus", _t(ivc_thrombus="none")),
    # spread, up-to-7, lobes
    ("lung mets", _t(extrahepatic_spread=True)),
    ("bone metastases", _t(extrahepatic_spread=True)),
    ("no extrahepatic spread", _t(extrahepatic_spread=False)),
    ("no lung mets but bone mets", _t(extrahepatic_spread=True)),
    ("intrahepatic metastases", {}),
    ("non-metastatic", _t(extrahepatic_spread=False)),
    ("beyond up-to-7", _t(up_to_7="beyond")),
    ("within up to seven", _t(up_to_7="within")),
    ("not within up-to-7", _t(up_to_7="beyond")),
    ("bilobar", _t(lobes_involved="both")),
    ("tumours in both lobes", _t(lobes_involved="both")),
    ("confined to the right lobe", _t(lobes_involved="one")),
    # size and number
    ("single 6 cm tumour", _t(tumour_count=1, largest_size_cm=6.0)),
    ("a 6 cm tumour in segment 7", _t(largest_size_cm=6.0, lobes_involved="one")),
    ("solitary 12-cm mass", _t(tumour_count=1, largest_size_cm=12.0)),
    ("three tumours, largest 5 cm", _t(tumour_count=3, largest_size_cm=5.0)),
    ("3 lesions, up to 45 mm", _t(tumour_count=3, largest_size_cm=4.5)),
    ("two large nodules of 3.5 and 4.2 cm", _t(tumour_count=2, largest_size_cm=4.2)),
    ("10 x 8 cm mass", _t(largest_size_cm=10.0)),
    ("3.25 cm lesion", _t(largest_size_cm=3.25)),
    ("35 mm nodule", _t(largest_size_cm=3.5)),
    ("multiple tumours", {}),
    ("two lung nodules", _t(extrahepatic_spread=True)),  # nodules in the lung are spread
    ("spleen 15 cm, 3 cm tumour", {"portal_hypertension": True, **_t(largest_size_cm=3.0)}),
    ("more than 3 tumours", {}),
    # labs
    ("AFP 350", {"afp_ng_ml": 350.0}),
    ("AFP 1,200 ng/mL", {"afp_ng_ml": 1200.0}),
    ("AFP 12k", {"afp_ng_ml": 12000.0}),
    ("AFP 350, ECOG 1", {"afp_ng_ml": 350.0, "ecog": 1}),
    ("AFP < 400", {}),  # a bound below a threshold is no value
    ("NLR 3.2", {"nlr": 3.2}),
    ("neutrophil-to-lymphocyte ratio of 5", {"nlr": 5.0}),
    ("NLR 1,200", {"nlr": 1200.0}),  # once crashed: thousands separator
    # second-round regressions: numbers and words read by the wrong pattern
    ("BP 150/90 mm Hg, 4 cm tumour", _t(largest_size_cm=4.0)),
    ("PD-L1 CPS 1", {}),  # a PD-L1 score, not Child-Pugh class "S"
    ("AFP 1.2 x 10^4", {"afp_ng_ml": 12000.0}),
    ("no esophageal or gastric varices", {"varices": "none", "egd_done": True}),
    ("varices grade 3 on EGD", {"varices": "untreated_or_severe", "egd_done": True}),
    ("tumour thrombus extending into the right atrium", _t(ivc_thrombus="reaches_atrium")),
    ("no prior systemic therapy", {"line": "first"}),
    ("received nivo + ipi", {"prior_regimens": ["nivolumab_ipilimumab"], **LATER}),
    (
        "progression on durvalumab plus tremelimumab",
        {"prior_regimens": ["tremelimumab_durvalumab"], **LATER},
    ),
    ("3-4 lesions", {}),  # a range: the count is not stated
    ("post-LT recurrence", {"organ_transplant": True}),
    (
        "failed atezo/bev with lenvatinib as next option",
        {"prior_regimens": ["atezolizumab_bevacizumab"], **LATER},
    ),
    ("sorafenib-intolerant", {"prior_regimens": ["sorafenib"], **LATER}),
    # A regimen taken now has been received: the next choice is a later line's.
    ("currently on lenvatinib", {"prior_regimens": ["lenvatinib"], **LATER}),
    (
        # TACE is never a prior regimen (FORMAT.md): the drugs given with it are.
        "progressed on TACE + len/pembro",
        {
            "prior_regimens": ["lenvatinib_pembrolizumab"],
            "prior_tace": "heavily_pretreated",
            **LATER,
        },
    ),
    # prior TACE
    ("heavily pretreated with TACE", {"prior_tace": "heavily_pretreated"}),
    ("multiple sessions of TACE", {"prior_tace": "heavily_pretreated"}),
    ("TACE-refractory", {"prior_tace": "heavily_pretreated"}),
    ("progressed after TACE", {"prior_tace": "heavily_pretreated"}),
    ("TACE x4", {"prior_tace": "heavily_pretreated"}),
    ("prior TACE", {"prior_tace": "some"}),
    ("TACE twice", {"prior_tace": "some"}),
    ("TACE-naive", {"prior_tace": "none"}),
    ("no prior chemoembolization", {"prior_tace": "none"}),
    # Where a regimen sat in the sequence, between it and its fate
    (
        "tori/bev first line failed",
        {"prior_regimens": ["toripalimab_bevacizumab"], **LATER},
    ),
    (
        "Had atezo/bev first line, then lenvatinib second line, now progressing again",
        {"prior_regimens": ["atezolizumab_bevacizumab", "lenvatinib"], **LATER},
    ),
    # Hepatic vein tumour thrombus: how many major branches
    ("Hepatic vein tumour thrombus in all three major hepatic veins", _t(hvtt_branches=3)),
    ("HVTT in two major hepatic veins", _t(hvtt_branches=2)),
    ("no HVTT", _t(hvtt_branches=0)),
    ("no hepatic vein or IVC thrombus", _t(hvtt_branches=0, ivc_thrombus="none")),
    # Platelet counts: below 100 x10^9/L is low, 150 or more normal, in between unknown
    (
        "Platelets 30 x10^9/L from hypersplenism",
        {"low_platelets": True, "portal_hypertension": True},
    ),
    ("platelets have dropped to 40,000", {"low_platelets": True}),
    ("plt 60k", {"low_platelets": True}),
    ("plts 42", {"low_platelets": True}),
    ("platelet count 210", {"low_platelets": False}),
    ("platelets 120", {}),
    # Varices treated since, regions named by city
    ("Varices have now been banded and eradicated", {"varices": "treated"}),
    ("The family is moving him to Shanghai for treatment", {"region": "china"}),
    ("Patient in Hangzhou", {"region": "china"}),
    # A contralateral lesion named by its side
    (
        "10 cm right-lobe tumour plus one 4 cm nodule in the left lobe",
        _t(
            largest_size_cm=10.0,
            lobes_involved="both",
            contralateral_lesion_count=1,
            contralateral_largest_cm=4.0,
        ),
    ),
    (
        "large right-lobe HCC plus a single 6 cm nodule in the left lobe",
        _t(lobes_involved="both", contralateral_lesion_count=1, contralateral_largest_cm=6.0),
    ),
    ("a 4 cm nodule in the left lobe", _t(largest_size_cm=4.0, lobes_involved="one")),
    # Fresh set 2 failure classes (2026-12-02): each row stands for a class, not one question.
    # A remark after a comma describes its own finding, not every fact before it.
    (
        "CP-A, ECOG 0, EGD shows large F3 oesophageal varices never treated",
        {"child_pugh_class": "A", "ecog": 0, "egd_done": True, "varices": "untreated_or_severe"},
    ),
    ("psoriasis, never treated", {"active_autoimmune_disease": True}),
    # Named with their status unknown: possibly present until an EGD says otherwise.
    (
        "no EGD done yet so varices unknown",
        {"egd_done": False, "varices": "untreated_or_severe", "unconfirmed": ["varices"]},
    ),
    # A value that changed: the latest is read.
    (
        "CP went from A5 to A6, plt 140 → 95",
        {"child_pugh_class": "A", "child_pugh_score": 6, "low_platelets": True},
    ),
    ("AFP 800->2300", {"afp_ng_ml": 2300.0}),
    ("spleen grew to 15 cm", {"portal_hypertension": True}),
    ("melaena last wk, not scoped yet", {"recent_bleeding": True, "egd_done": False}),
    ("hx of melaena last month", {"recent_bleeding": True}),
    ("still big cords on repeat scope", {"varices": "untreated_or_severe", "egd_done": True}),
    # Places say where the patient is treated.
    ("Lyon, 69M", {"region": "elsewhere"}),
    ("Boston pt", {"region": "elsewhere"}),
    ("Wuhan, 61M", {"region": "china"}),
    ("BCLC C per the Barcelona criteria", {"bclc_stage": "C"}),
    ("no autoimmune issues", {"active_autoimmune_disease": False}),
    (
        "?inflammatory myositis",
        {"active_autoimmune_disease": True, "unconfirmed": ["active_autoimmune_disease"]},
    ),
    ("active chronic GVHD", {"active_autoimmune_disease": True}),
    # A trial's population is not the patient.
    ("CP-C10, STRIDE was tried in CP-B", {"child_pugh_class": "C", "child_pugh_score": 10}),
    # A regimen someone proposes is not a regimen received.
    (
        "PD on 1L lenvatinib. onc suggests nivo/ipi for 2L",
        {"line": "later", "prior_regimens": ["lenvatinib"]},
    ),
    ("colleague suggests STRIDE for its low toxicity", {}),
    (
        "sintilimab + IBI305 1L for 9 mo, now new intrahepatic lesions",
        {"line": "later", "prior_regimens": ["sintilimab_ibi305"]},
    ),
    ("keen to go hard to get him to hepatectomy", {"goal": "conversion"}),
    ("highest disease control rate?", {}),
]

# The brief's own vignettes, each read as a whole.
VIGNETTES: list[tuple[str, dict[str, Any]]] = [
    (
        "CP-B7, ECOG 1, banded varices, s/p liver transplant, progressed on atezo/bev, hoping "
        "to downstage, in China, lung mets, main PVTT",
        {
            "child_pugh_class": "B",
            "child_pugh_score": 7,
            "ecog": 1,
            "varices": "treated",
            "organ_transplant": True,
            "prior_regimens": ["atezolizumab_bevacizumab"],
            "line": "later",
            "goal": "conversion",
            "region": "china",
            "tumour": {"pvtt_grade": "vp4", "extrahepatic_spread": True},
        },
    ),
    (
        "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?",
        {
            "child_pugh_class": "A",
            "ecog": 0,
            "varices": "untreated_or_severe",
            "goal": "conversion",
            "line": "first",
        },
    ),
    (
        "CP-A5, ECOG 1, no varices on EGD, long-term control: first-line options?",
        {
            "child_pugh_class": "A",
            "child_pugh_score": 5,
            "ecog": 1,
            "varices": "none",
            "egd_done": True,
            "goal": "maintenance",
            "line": "first",
        },
    ),
    (
        "65M, BCLC C, single 9 cm tumour with Vp3, no mets, AFP 12k, TACE-naive, US patient",
        {
            "bclc_stage": "C",
            "afp_ng_ml": 12000.0,
            "prior_tace": "none",
            "region": "elsewhere",
            "tumour": {
                "tumour_count": 1,
                "largest_size_cm": 9.0,
                "pvtt_grade": "vp3",
                "extrahepatic_spread": False,
            },
        },
    ),
]

PROBLEMS: list[tuple[str, str, str]] = [
    ("Child-Pugh D", "Child-Pugh class D", "child_pugh_class"),
    ("Child-Pugh E cirrhosis", "Child-Pugh class E", "child_pugh_class"),
    ("Child-Pugh score 3", "Child-Pugh score 3", "child_pugh_score"),
    ("Child-Pugh score 16", "Child-Pugh score 16", "child_pugh_score"),
    ("Child-Pugh A8", "Child-Pugh A8", "child_pugh_score"),
    ("ECOG 5", "ECOG performance status 5", "ecog"),
    ("ECOG 7, CP-A", "ECOG performance status 7", "ecog"),
    ("PS 9", "ECOG performance status 9", "ecog"),
]

NOTHING = [
    "What was the PD rate in LEAP-002?",
    "What is the median OS of atezo/bev in IMbrave150?",
    "Which trial had the lowest rate of grade 3 TRAEs?",
    "untreated HCC",
    "which regimen needs EGD?",
    "Is an EGD needed before bevacizumab?",
    "Summarise the review's section on locoregional therapy.",
    "How does lenvatinib compare with sorafenib for overall survival?",
    "What was the conversion rate in the review?",
]


def _check(text: str, expected: dict[str, Any]) -> None:
    result = read(text)
    assert result.problems == []
    assert result.profile == expected
    parse_profile(result.profile)  # raises ProfileError if the reading is invalid


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_phrasing_gives_exact_fields(text: str, expected: dict[str, Any]) -> None:
    _check(text, expected)


@pytest.mark.parametrize(("text", "expected"), VIGNETTES, ids=range(len(VIGNETTES)))
def test_vignette_gives_exact_profile(text: str, expected: dict[str, Any]) -> None:
    _check(text, expected)


@pytest.mark.parametrize(("text", "named", "key"), PROBLEMS, ids=[t for t, _, _ in PROBLEMS])
def test_impossible_value_is_a_problem_not_a_field(text: str, named: str, key: str) -> None:
    result = read(text)
    assert len(result.problems) == 1
    message = result.problems[0]
    assert named in message and "\n" not in message
    assert key not in result.profile


@pytest.mark.parametrize("text", NOTHING)
def test_question_without_patient_facts_extracts_nothing(text: str) -> None:
    result = read(text)
    assert result.empty and result.problems == []


def test_contradictory_values_become_a_problem() -> None:
    result = read("Vp2 PVTT reaching the SMV")
    assert len(result.problems) == 1 and "vp2" in result.problems[0]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from([text for text, _ in CASES + VIGNETTES]), min_size=2, max_size=5))
def test_any_combination_validates_or_reports_a_problem(parts: list[str]) -> None:
    result = read(", ".join(parts))
    if not result.problems:
        parse_profile(result.profile)
    assert all("\n" not in problem for problem in result.problems)


# Fragments that trigger many patterns at once: any jumble of them must never raise.
WORDS = (
    "no not , . : - or and then + / x3 twice multiple cm mm 0 6 12 99 1,200 10^4 k lesions tumour "
    "vp3 child-pugh cp b7 score ecog ps 1 varices banded egd tace transplant candidate lupus "
    "atezo/bev len pembro progressed on after main pvtt ivc atrium smv contralateral up-to-7 "
    "within beyond afp nlr china us patient hoping for resection"
).split()


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
def test_any_jumble_of_words_never_raises(words: list[str]) -> None:
    result = read(" ".join(words))
    if not result.problems:
        parse_profile(result.profile)


def test_enough_phrasings_are_covered() -> None:
    assert len(CASES) + len(VIGNETTES) + len(PROBLEMS) + len(NOTHING) >= 80
