"""Classes of misreading of a fact's status (present, absent, historical, uncertain,
hypothetical), each read as the phrase bank's format (eval/cases/reader/FORMAT.md) defines it."""

from __future__ import annotations

import pytest

from clinical.reader import Status, read


def _decided(text: str, field: str) -> tuple[object, Status] | None:
    fact = read(text).decided.get(field)
    return None if fact is None else (fact.value, fact.status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        # a goal asked about in a yes/no question is open; one taken as given is stated
        ("Big right-lobe mass, CP A5. Conversion realistic?", "conversion", Status.UNCERTAIN),
        ("Wang criteria -> atezo/bev for conversion?", "conversion", Status.UNCERTAIN),
        ("Could this be a conversion case with atezo/bev?", "conversion", Status.UNCERTAIN),
        ("Which regimen for conversion?", "conversion", Status.PRESENT),
        ("neoadjuvant / conversion - what regimen?", "conversion", Status.PRESENT),
        # offered as alternatives it is open, held at the goal that asks more of treatment
        (
            "goal unclear - MDT split between conversion and maintenance",
            "conversion",
            Status.UNCERTAIN,
        ),
        # a goal is an intent: a plan states it, a what-if does not
        ("Team considering atezo/bev to downstage.", "conversion", Status.PRESENT),
        ("what if the goal were downstaging?", "conversion", Status.HYPOTHETICAL),
        # a regimen given for conversion that then failed or was followed by resection: past
        (
            "lenvatinib + sintilimab for conversion, failed - now PD, no longer a candidate",
            "conversion",
            Status.HISTORICAL,
        ),
        (
            "55F on lenvatinib + tislelizumab as conversion therapy; good PR.",
            "conversion",
            Status.PRESENT,
        ),
        # plain words for either goal
        (
            "not for surgery; aim is to control disease as long as possible",
            "maintenance",
            Status.PRESENT,
        ),
        ("Surgery: not an option (told by surgeons)", "maintenance", Status.PRESENT),
        ("He does not wish to pursue surgery in any circumstance.", "maintenance", Status.PRESENT),
        ("she would like a chance at surgery if at all possible", "conversion", Status.PRESENT),
        (
            "Surgeon: not resectable now, re-evaluate for hepatectomy after 3 months.",
            "conversion",
            Status.PRESENT,
        ),
    ],
)
def test_goal(text: str, value: str, status: Status) -> None:
    assert _decided(text, "goal") == (value, status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        ("portal LN 1.5 cm ?reactive vs met", True, Status.UNCERTAIN),
        ("Porta hepatis LN 14 mm, ?reactive vs met.", True, Status.UNCERTAIN),
        ("4 mm lung nodule, indeterminate, for interval CT", True, Status.UNCERTAIN),
        ("hx: OLT (2012). new 2 cm lesion seg 4a + hilar LN. 1L options?", True, Status.PRESENT),
        ("66M OLT'13 rec'25 lung+LN, CPA5 PS0, systemic-naive", True, Status.PRESENT),
        (
            "Hx: liver transplant 2019 -> recurrence 2023 (lung). 1L lenvatinib",
            True,
            Status.PRESENT,
        ),
        ("The cancer is going to the bones also, in hip.", True, Status.PRESENT),
        ("Peritoneal seeding after spontaneous rupture.", True, Status.PRESENT),
        ("ECOG 3 from the malignant pleural effusion", True, Status.PRESENT),
        ("N1M0", True, Status.PRESENT),
        ("cT3N0M0", False, Status.ABSENT),
        ("staging CT chest and bone scan negative", False, Status.ABSENT),
        ("Extrahepatic: nil (CT chest, bone scan)", False, Status.ABSENT),
        ("HCC 4 cm + 2 cm, right lobe, no spread, Child A", False, Status.ABSENT),
        # a lung metastasis resected or gone is a past state
        (
            "previous lung met resected 2022 (VATS), no recurrence outside liver since",
            True,
            Status.HISTORICAL,
        ),
        # "otherwise" excepts what was stated before it
        (
            "Skin nodule on the abdominal wall - biopsy: HCC. Otherwise staging clear.",
            True,
            Status.PRESENT,
        ),
        ("PD in liver, lungs clear", None, None),
    ],
)
def test_extrahepatic_spread(text: str, value: object, status: Status | None) -> None:
    expected = None if status is None else (value, status)
    assert _decided(text, "tumour.extrahepatic_spread") == expected


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        (
            "He had TACE x4 in 2022-2024 with PD after the last one.",
            "heavily_pretreated",
            Status.PRESENT,
        ),
        ("TACE x2 with good response. Repeat TACE or start systemic?", "some", Status.PRESENT),
        ("TACE-HAIC combination x2", "some", Status.PRESENT),
        ("Post-TACE (x1, last month) he developed new ascites", "some", Status.PRESENT),
        ("cTACE x3 with lipiodol.", "heavily_pretreated", Status.PRESENT),
        ("Y-90 x1, TACE x0.", "none", Status.ABSENT),
        ("Tx hx: TACE, TACE, TACE (2021, 2022, 2023).", "heavily_pretreated", Status.PRESENT),
        (
            "TACE 2021 (x1), TACE 2022 (x1), TACE 2023 (x2 sessions). Now on lenvatinib.",
            "heavily_pretreated",
            Status.PRESENT,
        ),
        (
            "LT candidate - bridging with TACE (3 sessions so far), AFP 190",
            "heavily_pretreated",
            Status.PRESENT,
        ),
        ("Listed for LT, got bridging TACE x2, now beyond Milan", "some", Status.PRESENT),
        ("multiple TACEs over the years", "heavily_pretreated", Status.PRESENT),
        ("Multiple TACE sessions (5) since 2019.", "heavily_pretreated", Status.PRESENT),
        (
            "Should he get TACE first? No prior TACE; 3 lesions in both lobes.",
            "none",
            Status.ABSENT,
        ),
        ("hasn't had any locoregional therapy", "none", Status.ABSENT),
        ("3 HCC nodules right lobe, PS 0, CP A5. Untreated. Atezo/bev?", "none", Status.ABSENT),
        ("He is naive to any HCC treatment.", "none", Status.ABSENT),
        ("AFP 400 TACE or HAIC?", None, None),
    ],
)
def test_prior_tace(text: str, value: object, status: Status | None) -> None:
    expected = None if status is None else (value, status)
    assert _decided(text, "prior_tace") == expected


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        # a past disease, however its past is said
        ("UC, s/p panproctocolectomy 1995, no issues since", True, Status.HISTORICAL),
        ("Guillain-Barre in 2015, full recovery", True, Status.HISTORICAL),
        ("'Yes: psoriasis as a child, none since age 15.'", True, Status.HISTORICAL),
        ("AI disease: MS (dx 1990s), no relapse in 20 yrs, never treated", True, Status.HISTORICAL),
        # a queried disease, or one a test has still to confirm, is uncertain
        ("hx of IBD? unclear - had 'colitis' once, never scoped", True, Status.UNCERTAIN),
        (
            "Pt with coeliac disease? - not confirmed, TTG borderline, no biopsy.",
            True,
            Status.UNCERTAIN,
        ),
        ("If the biopsy confirms AIH overlap we'd switch to lenvatinib.", True, Status.UNCERTAIN),
        ("Autoimmune history is messy: 'possible lupus' in 2015.", True, Status.UNCERTAIN),
        # denials, listed with "/" or said after a dash
        ("no h/o SLE/RA/IBD/MS", False, Status.ABSENT),
        ("Autoimmune disease - none known.", False, Status.ABSENT),
        ("EGD: no varices. No AI/tx. Naive.", False, Status.ABSENT),
        ("We ruled out autoimmune disease (rheum review, normal serology).", False, Status.ABSENT),
        # present
        ("kidney tx 2009, on tac + pred. RA as well, on low-dose pred only.", True, Status.PRESENT),
        ("Transplanted? yes - liver, 2011. Lupus? yes, on HCQ.", True, Status.PRESENT),
    ],
)
def test_autoimmune(text: str, value: object, status: Status) -> None:
    assert _decided(text, "active_autoimmune_disease") == (value, status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        ("72M, no autoimmune hx, no tx, EGD done. CP A6.", False, Status.ABSENT),
        ("no ai dz, no tx. first line?", False, Status.ABSENT),
        ("transplant hx nil", False, Status.ABSENT),
        ("Had a liver tx? nope. kidney? nope.", False, Status.ABSENT),
        ("pt denies any prior transplant or immunosuppressive therapy", False, Status.ABSENT),
        (
            "Asked specifically about transplant: pt denies any transplant or major surgery.",
            False,
            Status.ABSENT,
        ),
        ("Our pt is transplant-naive.", False, Status.ABSENT),
        # a waiting list is a candidacy; the patient's own word beside it stands
        ("She's on the LT waiting list. Prior TACE x2.", True, Status.HYPOTHETICAL),
        (
            "She's on the kidney transplant waiting list. She's never had a transplant.",
            False,
            Status.ABSENT,
        ),
        # asked of the patient, it is not settled (held at the fail-safe value)
        (
            "Is he post-transplant? I think the renal team mentioned something.",
            True,
            Status.UNCERTAIN,
        ),
        ("Hx: kideny transplnat 2003, on ciclosporin.", True, Status.PRESENT),
        (
            "Would you treat an LDLT recipient with STRIDE if the graft is 10 years old? "
            "Real patient: 67M, LDLT 2015, tac 1 mg.",
            True,
            Status.PRESENT,
        ),
    ],
)
def test_organ_transplant(text: str, value: object, status: Status) -> None:
    assert _decided(text, "organ_transplant") == (value, status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        ("Vp1-2", "vp2", Status.UNCERTAIN),
        ("? Vp1 vs Vp2 on MRI - radiology can't decide.", "vp2", Status.UNCERTAIN),
        ("PVTT Cheng type II, no distant metastasis", "vp3", Status.PRESENT),
        ("Cheng type III PVTT", "vp4", Status.PRESENT),
        (
            "tumour thrombus in the anterior sectoral branch of the right PV (second-order)",
            "vp2",
            Status.PRESENT,
        ),
        (
            "portal vein invasion beyond the second-order branches only (third-order)",
            "vp1",
            Status.PRESENT,
        ),
        (
            "PVTT from the right PV extending into the contralateral (left) branch",
            "vp4",
            Status.PRESENT,
        ),
        (
            "PVTT involving both right and left portal veins and the bifurcation",
            "vp4",
            Status.PRESENT,
        ),
        ("LPV tumour thrombus, main trunk spared", "vp3", Status.PRESENT),
        (
            "Tumour thrombus in RPV with extension to the PV bifurcation but not the main trunk.",
            "vp3",
            Status.PRESENT,
        ),
        (
            "Tumour thrombus extends into the right portal vein; main portal vein patent.",
            "vp3",
            Status.PRESENT,
        ),
        ("MPV TT, Child A5, ECOG 1", "vp4", Status.PRESENT),
        ("HCC 5 cm + PVTT right branch", "vp3", Status.PRESENT),
        ("3 lesions L lobe, + tumour thrombus L portal vein.", "vp3", Status.PRESENT),
        ("bland thrombus in main PV, no tumour thrombus", "vp0", Status.ABSENT),
        (
            "Bland thrombus in the main PV. Separate tumour thrombus in the left PV branch.",
            "vp3",
            Status.PRESENT,
        ),
        ("EHS - none. Vp - none. Up-to-7 - out.", "vp0", Status.ABSENT),
        ("HVTT: RHV only; no IVC extension. PV clear.", "vp0", Status.ABSENT),
        # a what-if beside the grade leaves the grade
        (
            "What if the PVTT reached the SMV? Currently it's in the right PV only.",
            "vp3",
            Status.PRESENT,
        ),
    ],
)
def test_pvtt_grade(text: str, value: str, status: Status) -> None:
    assert _decided(text, "tumour.pvtt_grade") == (value, status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        # open: held at the most dangerous state the words leave open
        ("unclear if banded", "untreated_or_severe", Status.UNCERTAIN),
        (
            "known varices - not sure whether they were ever ligated",
            "untreated_or_severe",
            Status.UNCERTAIN,
        ),
        ("varices? no idea. he's never been scoped.", "untreated_or_severe", Status.UNCERTAIN),
        (
            "oesophageal varices (known since 2020) banded? n. bled? n.",
            "untreated_or_severe",
            Status.PRESENT,
        ),
        ("EV: nil", "none", Status.ABSENT),
        ("ligation of EV done x3, pt now wants to start treatment ASAP", "treated", Status.PRESENT),
    ],
)
def test_varices(text: str, value: str, status: Status) -> None:
    assert _decided(text, "varices") == (value, status)


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        # signs add up: one stated is not undone by another denied
        ("portosystemic collaterals on CT, no ascites", True, Status.PRESENT),
        ("no varices (EGD 5/2025), no bleeding hx, no ascites, spleen 14 cm", True, Status.PRESENT),
        ("Ascites: none. Spleen: 17 cm. Plt: 72.", True, Status.PRESENT),
        (
            "No ascites, no splenomegaly, no collaterals on CT - no evidence of portal HTN.",
            False,
            Status.ABSENT,
        ),
        # signs named in other words
        ("OGD 2 wks ago: no varices. Mild portal hypertensive gastropathy.", True, Status.PRESENT),
        ("recanalised paraumbilical vein + splenorenal shunt on CT", True, Status.PRESENT),
        ("Rectal varices bled last month (banded by colorectal).", True, Status.PRESENT),
        ("Large-volume paracentesis every 2 weeks. CP-C10.", True, Status.PRESENT),
        # doubts
        ("portal hypertension? borderline spleen 13 cm, no collaterals", True, Status.UNCERTAIN),
        (
            "No ascites, spleen 11 cm. Is there anything suggesting portal hypertension?",
            True,
            Status.UNCERTAIN,
        ),
    ],
)
def test_portal_hypertension(text: str, value: object, status: Status) -> None:
    assert _decided(text, "portal_hypertension") == (value, status)


@pytest.mark.parametrize(
    "text",
    ["wants to keep working as long as possible", "she wants the most aggressive option possible"],
)
def test_as_possible_is_no_doubt(text: str) -> None:
    fact = read(text).decided.get("priority")
    assert fact is not None and fact.status is Status.PRESENT


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("neutrophils 4.2, lymphocytes 1.4", 3.0),
        ("ANC 5.6, ALC 0.8", 7.0),
        ("Labs: Hb 13.1, WBC 6.8 (N 4.6, L 1.15), Plt 96", 4.0),
        ("neutrophils 78% ; lymphocytes 13% ; monocytes 7%", 6.0),
        ("N/L ratio 4", 4.0),
        ("NLR 1.8 at baseline, 4.5 now", 4.5),
        ("NLR 2.3, plt 120, AFP 30", 2.3),
        ("neutrophils 4.2, lymphocytes 13%", None),  # a count and a percentage: no ratio
    ],
)
def test_nlr(text: str, value: float | None) -> None:
    assert read(text).profile.get("nlr") == value


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        ("HTN on 3 agents, BP at target.", False, Status.ABSENT),
        (
            "If BP can't be controlled on lenvatinib, would durvalumab mono be OK?",
            True,
            Status.HYPOTHETICAL,
        ),
    ],
)
def test_refractory_hypertension(text: str, value: object, status: Status) -> None:
    assert _decided(text, "refractory_hypertension") == (value, status)


def test_a_goal_asked_about_is_the_setting_answered() -> None:
    """Open as a fact, but the question is asked for that setting: the profile carries it,
    and does not ask the clinician to confirm what they asked about."""
    reading = read("CP-A, ECOG 0, HVTT in all three hepatic veins. Potentially resectable?")
    assert reading.decided["goal"].status is Status.UNCERTAIN
    assert reading.profile["goal"] == "conversion" and "goal" not in reading.unconfirmed
