"""The assistant end to end with the default planner backend (offline, deterministic)."""

import pytest

from assistant.agent import Assistant
from guardrails.messages import DISCLAIMER

BEVACIZUMAB_REGIMENS = {
    "atezolizumab_bevacizumab",
    "sintilimab_ibi305",
    "toripalimab_bevacizumab",
    "sct_i10a_sct510",
}


def test_trial_fact_is_answered_from_the_records_with_its_citation(planner_assistant) -> None:
    result = planner_assistant.ask("What was the PD rate in LEAP-002?")
    assert not result.refused
    assert result.intent == "trial_fact"
    assert "12.2%" in result.answer and "15%" in result.answer
    assert "[LEAP-002; ref 24]" in result.answer
    assert result.recommended == []
    (citation,) = result.citations
    assert citation.trial == "LEAP-002" and citation.refs == (24,)
    assert citation.chunk_ids == ("table1/leap-002",)
    assert result.trace[0].tool == "lookup_trial" and result.trace[0].ok
    assert result.answer.endswith(DISCLAIMER)


@pytest.mark.parametrize("question", ["pd rate leap002?", "LEAP 002 PD rate", "Leap-002: PD-rate"])
def test_trial_shorthand(planner_assistant, question: str) -> None:
    assert "12.2%" in planner_assistant.ask(question).answer


def test_comparison_ranks_table_1(planner_assistant) -> None:
    result = planner_assistant.ask("Which first-line combination has the lowest PD rate?")
    assert result.intent == "comparison"
    assert result.answer.startswith("**Bottom line:** Lowest PD rate: lenvatinib + pembrolizumab")
    first_line = next(line for line in result.answer.splitlines() if line.startswith("1. "))
    assert first_line.startswith("1. lenvatinib + pembrolizumab (LEAP-002): 12.2%")
    assert "Not reported: anlotinib + penpulimab (APOLLO)" in result.answer


def test_fewest_grade_3_traes(planner_assistant) -> None:
    result = planner_assistant.ask("Which regimen has the fewest grade 3 TRAEs?")
    assert "1. tremelimumab + durvalumab (HIMALAYA): 25.8%" in result.answer
    assert "TEAEs, not TRAEs" in result.answer


def test_first_line_vignette_follows_the_rule_core(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
    )
    assert result.intent == "first_line"
    assert result.recommended_ids[0] == "lenvatinib_anti_pd1"
    assert not BEVACIZUMAB_REGIMENS & set(result.recommended_ids)
    avoided = {entry.regimen for entry in result.avoid}
    assert {"Atezolizumab + bevacizumab", "Tremelimumab + durvalumab (STRIDE)"} <= avoided
    assert result.profile["varices"] == "untreated_or_severe"
    assert result.profile["goal"] == "conversion"
    assert "SAFETY-BEVACIZUMAB-VARICES" in result.rules_fired
    assert [t.tool for t in result.trace] == ["select_regimens", "check_resectability"]
    assert "Potential resectability" in result.answer


def test_follow_up_keeps_and_updates_the_profile(planner_assistant) -> None:
    thread = planner_assistant.new_thread()
    first = planner_assistant.ask(
        "Child-Pugh A, ECOG 0, no varices on EGD, long-term control: first-line options?",
        thread_id=thread,
    )
    assert first.recommended_ids[0] == "atezolizumab_bevacizumab"
    second = planner_assistant.ask("What if she also has untreated varices?", thread_id=thread)
    assert second.profile["child_pugh_class"] == "A" and second.profile["ecog"] == 0
    assert second.profile["varices"] == "untreated_or_severe"
    assert not BEVACIZUMAB_REGIMENS & set(second.recommended_ids)
    third = planner_assistant.ask("and if she had a liver transplant?", thread_id=thread)
    assert third.profile["organ_transplant"] is True
    assert set(third.recommended_ids) <= {"lenvatinib", "sorafenib", "donafenib"}


def test_threads_do_not_share_profiles(planner_assistant) -> None:
    planner_assistant.ask("Child-Pugh B, ECOG 2, first-line options?", thread_id="one")
    other = planner_assistant.ask("What if she has untreated varices?", thread_id="two")
    assert "child_pugh_class" not in other.profile


def test_later_line_after_atezo_bev(planner_assistant) -> None:
    result = planner_assistant.ask("Next line after atezolizumab plus bevacizumab?")
    assert result.intent == "later_line"
    assert result.recommended_ids[0] == "lenvatinib"
    assert result.profile["prior_regimens"] == ["atezolizumab_bevacizumab"]


def test_locoregional_choice(planner_assistant) -> None:
    result = planner_assistant.ask("Beyond up-to-7 with main PVTT: TACE or HAIC?")
    assert result.intent == "locoregional"
    assert result.recommended_ids[0] == "haic"


def test_general_question_quotes_passages(planner_assistant) -> None:
    result = planner_assistant.ask("What does the review say about anti-drug antibodies?")
    assert result.intent == "general"
    assert "> " in result.answer and "`ici-resistance/" in result.answer
    assert any(
        c.chunk_ids and c.chunk_ids[0].startswith("ici-resistance/") for c in result.citations
    )


def test_profile_file_is_used(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Which first-line regimen?",
        profile={"child_pugh_class": "A", "ecog": 0, "organ_transplant": True},
    )
    assert result.profile["organ_transplant"] is True
    assert "atezolizumab_bevacizumab" not in result.recommended_ids


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "The question is empty."),
        ("   \n ", "The question is empty."),
        ("x" * 5000, "The question is 5,000 characters long; the limit is 4,000."),
    ],
)
def test_bad_input_is_refused_with_a_reason(planner_assistant, question: str, reason: str) -> None:
    result = planner_assistant.ask(question)
    assert result.refused and result.refusal_reason is not None
    assert result.refusal_reason.startswith(reason)


def test_impossible_values_are_refused(planner_assistant) -> None:
    result = planner_assistant.ask("Child-Pugh D, ECOG 7: first-line options?")
    assert result.refused and result.recommended == []
    assert "Child-Pugh class D does not exist" in (result.refusal_reason or "")
    assert "ECOG performance status 7 is impossible" in (result.refusal_reason or "")


def test_off_topic_is_refused_without_tools(planner_assistant) -> None:
    result = planner_assistant.ask("Write me a poem about cats")
    assert result.refused and result.trace == []
    assert "hepatocellular carcinoma" in result.answer  # says what it can do instead
    assert any(g.check == "scope" and not g.passed for g in result.guardrails)


def test_same_question_same_answer(planner_assistant) -> None:
    question = "CP-B7, ECOG 1, s/p liver transplant: which first-line options?"
    first, second = planner_assistant.ask(question), planner_assistant.ask(question)
    assert first.answer == second.answer and first.recommended == second.recommended


def test_contract_fields(planner_assistant) -> None:
    payload = planner_assistant.ask("ORR of atezo/bev?", id="q1").model_dump(mode="json")
    assert {
        "id",
        "answer",
        "refused",
        "refusal_reason",
        "recommended",
        "avoid",
        "citations",
        "profile",
        "guardrails",
        "trace",
    } <= set(payload)
    assert payload["id"] == "q1"
    assert {"trial", "refs", "chunk_ids", "quote"} <= set(payload["citations"][0])


def test_default_assistant_builds_without_loading_the_model() -> None:
    assistant = Assistant()
    assert assistant.backend == "planner"
    assert assistant.deps._retriever is None  # MiniLM is loaded only when search is used


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("ORR of atezolizumb bevacizmab?", "ORR 30%"),
        ("what was the PD rate in himalya", "PD rate 39.9%"),
        ("lenvatnib pembrolizumab grade 3 TRAEs", "grade ≥3 TRAEs 62.5%"),
        ("treme/durva PD rate", "PD rate 39.9%"),
        ("len pembro ORR", "ORR 26.1%"),
        ("atezo-bev mOS", "median OS 19.2 months"),
    ],
)
def test_typos_and_shorthand(planner_assistant, question: str, expected: str) -> None:
    result = planner_assistant.ask(question)
    assert result.intent == "trial_fact"
    assert expected in result.answer


def test_figure_printed_in_several_places_is_shown_once_with_each_place(planner_assistant) -> None:
    answer = planner_assistant.ask("PD rate in HIMALAYA?").answer
    bottom_line, evidence = answer.split("\n", 1)
    assert "39.9%" in bottom_line
    assert evidence.count("39.9%") == 1
    assert "Table 1; Tremelimumab Plus Durvalumab; Table 2" in answer


def test_table_and_text_disagreement_shows_both(planner_assistant) -> None:
    answer = planner_assistant.ask("What was the mPFS in IMbrave150?").answer
    assert "median PFS 6.9 months (atezolizumab + bevacizumab; Table 1)" in answer
    assert (
        "median PFS 6.8 months (atezolizumab + bevacizumab; Atezolizumab Plus Bevacizumab)"
        in answer
    )


def test_comparison_within_a_table_1_category(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Among the TKI + anti-PD-1 combos, which has the lowest grade >=3 TRAE rate?"
    )
    assert result.intent == "comparison"
    assert "(ICI+TKI combinations)" in result.answer
    assert "1. anlotinib + penpulimab (APOLLO): 48.2%" in result.answer
    assert "atezolizumab + bevacizumab" not in result.answer.split("**References**")[0]


def test_follow_up_compares_the_same_figure_in_another_trial(planner_assistant) -> None:
    thread = planner_assistant.new_thread()
    planner_assistant.ask("grade 3 TRAEs with STRIDE in HIMALAYA?", thread_id=thread)
    result = planner_assistant.ask("How does that compare with CARES-310?", thread_id=thread)
    assert "25.8%" in result.answer and "80.9%" in result.answer
    assert {c.trial_id for c in result.citations} >= {"himalaya", "cares-310"}


def test_a_study_is_found_by_its_arms_and_patient_number(planner_assistant) -> None:
    result = planner_assistant.ask(
        "In the 49-patient study of TKIs after atezo/bev, "
        "how did lenvatinib compare with sorafenib?"
    )
    assert result.intent == "trial_fact"
    assert "6.1 months" in result.answer and "2.5 months" in result.answer


def test_resectability_question_with_a_patient_also_ranks_regimens(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Vp2 PVTT, AFP 120 ng/mL, NLR 2.1, single 7 cm tumour, CP-A, ECOG 0, EGD clean. "
        "What are her chances of resection after atezo-bev?"
    )
    assert result.intent == "criteria"
    assert [t.tool for t in result.trace] == ["check_resectability", "select_regimens"]
    assert result.profile["goal"] == "conversion" and "prior_regimens" not in result.profile
    assert "atezolizumab_bevacizumab" in result.recommended_ids


def test_tace_history_is_not_a_locoregional_question(planner_assistant) -> None:
    result = planner_assistant.ask(
        "BCLC B, CP-A, ECOG 0, progressed after repeated TACE sessions, EGD clean. "
        "Systemic first line?"
    )
    assert result.intent == "first_line"
    assert result.profile["prior_tace"] == "heavily_pretreated"


def test_other_cancers_are_out_of_scope(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Best second line for colorectal cancer after FOLFOX and bevacizumab?"
    )
    assert result.refused and result.intent == "off_topic"


# --- fresh set 2 failure classes (2026-12-02) ---------------------------------------------


def test_a_yes_no_part_comparing_the_arms_opens_the_answer(planner_assistant) -> None:
    result = planner_assistant.ask("CheckMate 9DW: OS HR and DCR? was DCR lower with nivo/ipi?")
    assert result.bottom_line.startswith("Yes: CheckMate 9DW: DCR 68%")
    higher = planner_assistant.ask("In CheckMate 9DW, was DCR higher with nivo/ipi?")
    assert higher.bottom_line.startswith("No:")


def test_a_routine_screen_leaves_a_named_plan_suitable(planner_assistant) -> None:
    """Unsaid autoimmune or transplant status is screened before any start; only a check the
    patient's own facts call for (no EGD yet) makes the verdict a caution."""
    done = planner_assistant.ask(
        "EVL x4, repeat EGD 3 wks ago: varices eradicated. CP-A6, PS1, BCLC C. "
        "plan atezo/bev 1L - ok to go?"
    )
    assert [(v.regimen, v.value) for v in done.verdicts] == [
        ("atezolizumab_bevacizumab", "suitable")
    ]
    assert any("autoimmune" in c for v in done.verdicts for c in v.checks)
    unscoped = planner_assistant.ask("CP-A5, PS0, no EGD yet. plan atezo/bev 1L on Monday - ok?")
    assert [v.value for v in unscoped.verdicts] == ["caution"]


def test_a_drug_the_review_lacks_beside_a_patient_does_not_replace_the_answer(
    planner_assistant,
) -> None:
    result = planner_assistant.ask(
        "Active Crohn's disease on infliximab, CP-A, ECOG 0, BCLC C, EGD normal. First-line?"
    )
    assert result.intent == "first_line"
    assert result.bottom_line.startswith("For this patient")
    assert "does not report infliximab" in result.bottom_line
    assert "Atezolizumab + bevacizumab" in {a.regimen for a in result.avoid}


def test_a_why_question_carries_the_figures_its_sentence_rests_on(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Why does the review advise against STRIDE for borderline resectable patients?"
    )
    assert "PD rate" in result.bottom_line and "39.9%" in result.bottom_line
    assert "does not report" not in result.bottom_line  # a backing lookup's gaps are not asked
    assert all(g.passed for g in result.guardrails)  # quoted review sentences pass the checks


def test_a_threshold_lists_every_arm_that_meets_it(planner_assistant) -> None:
    result = planner_assistant.ask("1L combos w a PFS HR of 0.55 or lower vs sorafenib?")
    assert result.intent == "comparison"
    assert result.bottom_line.startswith(
        "Table 1 first-line combination arms with PFS HR at or below your limit of 0.55:"
    )
    for trial in ("NCT04560894", "APOLLO", "CARES-310"):
        assert trial in result.bottom_line
    assert "IMbrave150" not in result.bottom_line and "0.55" in result.answer  # kept as typed
    runner = planner_assistant.ask(
        "best (lowest) OS HR among the 1L combination ph3s, and the runner-up?"
    )
    assert "runner-up:" in runner.bottom_line and not runner.refused


# --- named plans judged as the review judges them (2026-12-02, session 3) -------------------


def test_a_regimen_is_judged_by_the_class_the_review_names(planner_assistant) -> None:
    """Lenvatinib + pembrolizumab for conversion is "lenvatinib + an anti-PD-1 antibody"."""
    result = planner_assistant.ask(
        "CP-A5 PS0, single 12 cm HCC, no EHS, EGD clear. Aim = conversion to resection. "
        "Plan len/pembro - reasonable?"
    )
    [verdict] = result.verdicts
    assert (verdict.regimen, verdict.value) == ("lenvatinib_pembrolizumab", "suitable")
    assert verdict.reasons[0].startswith("as Lenvatinib + an anti-PD-1 antibody")
    assert "Lenvatinib + an anti-PD-1 antibody" not in verdict.alternatives


def test_an_avoided_class_avoids_its_members() -> None:
    from assistant.planner.verdict import verdicts

    data = {
        "recommended": [],
        "avoid": [{"regimen": "ici_plus_tki", "reason": "Active autoimmune disease."}],
    }
    [verdict] = verdicts(["camrelizumab_apatinib"], data)
    assert verdict.value == "avoid"
    assert verdict.reasons == [
        "as Immune checkpoint inhibitor + TKI (continuing ICI): Active autoimmune disease"
    ]


def test_hedged_support_is_said_but_not_a_caution(planner_assistant) -> None:
    """Apatinib after lenvatinib is a dotted line of Figure 1: suitable, its hedge a reason."""
    result = planner_assistant.ask(
        "lenvatinib mono 1L, PD after 15 mo. CP-A6, PS1. registrar suggests apatinib next?"
    )
    [verdict] = result.verdicts
    assert verdict.value == "suitable"
    assert "the review's support for it here is hedged" in verdict.reasons


def test_a_named_locoregional_plan_is_judged_by_the_locoregional_choice(planner_assistant) -> None:
    result = planner_assistant.ask(
        "5 TACEs, then TACE + lenvatinib, now 2 growing lesions, CP-A6 PS0. "
        "going with SBRT - reasonable?"
    )
    given = {v.regimen: v.value for v in result.verdicts}
    assert given["sbrt"] == "suitable"
    assert "locoregional_options" in [step.tool for step in result.trace]


def test_an_unsaid_line_is_taken_as_first_and_said(planner_assistant) -> None:
    result = planner_assistant.ask("CP-A5, PS0, BCLC C, EGD no varices. Plan atezo/bev - ok?")
    assert result.profile["line"] == "first"
    assert "Taken as first line" in result.answer
    treated = planner_assistant.ask("PD on lenvatinib, CP-A5 PS0. which next line?")
    assert "Taken as first line" not in treated.answer


# --- yes or no after the facts, read from the review's own figures (2026-12-02) -------------


def test_a_criteria_question_after_the_facts_opens_with_what_fails(planner_assistant) -> None:
    result = planner_assistant.ask(
        "CP-A5 PS0. 9cm R lobe HCC plus a biopsy-proven peritoneal deposit. surgeons keen on "
        "conversion w len + anti-PD-1. does he fit the potentially-resectable criteria?"
    )
    assert result.bottom_line.startswith("No: ")
    assert "fails: no extrahepatic metastasis" in result.bottom_line.lower()


@pytest.mark.parametrize(
    ("turns", "question", "opening"),
    [
        (["LEAP-012 mPFS TACE+len/pembro vs TACE alone?"], "and did OS reach significance?", "No"),
        ([], "49-pt TKI-after-atezo/bev retrospective: mOS lenva vs sora - significant?", "No"),
        ([], "IMbrave150 OS HR - was it statistically significant?", "Yes"),
    ],
)
def test_significance_is_read_from_the_printed_ci_or_p_value(
    planner_assistant, turns: list[str], question: str, opening: str
) -> None:
    thread = planner_assistant.new_thread()
    for turn in turns:
        planner_assistant.ask(turn, thread_id=thread)
    result = planner_assistant.ask(question, thread_id=thread)
    assert result.bottom_line.startswith(f"{opening} (")
    assert not any(g.check == "numbers" and not g.passed for g in result.guardrails)


def test_a_regimen_inside_a_named_trials_arm_is_not_looked_up_apart(planner_assistant) -> None:
    result = planner_assistant.ask("LEAP-012 mPFS TACE+len/pembro vs TACE alone?")
    assert [s.args["name"] for s in result.trace] == ["leap-012"]


def test_every_part_keeps_its_question_mark() -> None:
    from assistant.planner.parts import split_parts

    assert split_parts("LEAP-012 PFS HR, and was OS one of the primary endpoints?") == [
        "LEAP-012 PFS HR?",
        "was OS one of the primary endpoints?",
    ]


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("IMbrave150 n per arm, and OS HR atezo/bev vs sora?", ["336", "165", "0.66"]),
        ("HIMALAYA - n in each of the 3 arms?", ["393", "389"]),
        ("REFLECT: how many pts, and OS HR?", ["954", "0.92"]),
    ],
)
def test_arm_sizes_are_asked_in_many_words(
    planner_assistant, question: str, figures: list[str]
) -> None:
    result = planner_assistant.ask(question)
    assert all(f in result.bottom_line for f in figures)
    assert "patients 501 patients" not in result.answer


def test_a_why_question_about_a_setting_gets_the_options_for_it(planner_assistant) -> None:
    """The review's reasons first; the rule core's options for the setting named back them."""
    result = planner_assistant.ask(
        "why is lenvatinib + an anti-PD-1 the authors' go-to when the goal is downstaging?"
    )
    assert result.intent == "general"
    assert "lenvatinib_anti_pd1" in result.recommended_ids
    assert "For this setting the review's top first-line options" in result.answer
    assert "Please give" not in result.bottom_line  # a setting is not a patient to ask about


def test_an_arm_singled_out_gets_its_own_figures_or_their_absence(planner_assistant) -> None:
    result = planner_assistant.ask(
        "HIMALAYA durva monotherapy arm - what was its median OS in months?"
    )
    assert "16.4" not in result.answer  # STRIDE's, not the durvalumab arm's
    assert "does not report the median OS" in result.bottom_line
    both = planner_assistant.ask("median PFS with len/pembro vs lenvatinib alone in LEAP-002?")
    assert "8.2" in both.bottom_line


@pytest.mark.parametrize(
    ("question", "args"),
    [
        (
            "Across Table 1, lowest and highest control-arm median OS - which trials?",
            {"metric": "mOS", "arms": "control"},
        ),
        ("top two ORRs among the 1L phase 3 RCTs in table 1?", {"metric": "ORR", "top": 2}),
        (
            "among the 1L combos, which ones did NOT show a significant PFS benefit?",
            {"metric": "PFS HR", "significant": False},
        ),
        (
            "Which 1L combos had fewer grade>=3 TRAEs than their own sorafenib control arm?",
            {"versus_control": "lower", "control": "sorafenib"},
        ),
        (
            "among the sorafenib-controlled 1L combo trials, which had the biggest absolute mOS "
            "gain over its control?",
            {"by": "difference", "control": "sorafenib", "order": "highest"},
        ),
        (
            "which 1L RCTs in the review had a sorafenib arm with median OS under 11 months?",
            {"scope": "all", "arms": "any", "regimen": "sorafenib", "at_most": 11.0},
        ),
        ("biggest three first-line RCTs by number randomised?", {"metric": "n", "top": 3}),
        ("which of the trials discussed were run only in China?", {"region": "China"}),
    ],
)
def test_questions_across_records_are_routed(question: str, args: dict) -> None:
    from assistant.planner.intent import plan

    (call,) = plan(question).calls
    assert call.name in ("compare_trials", "list_trials")
    assert args.items() <= call.args.items()


def test_a_grade_is_not_a_limit_on_the_figure() -> None:
    from assistant.planner.intent import plan

    (call,) = plan("which 1L combos had MORE grade>=3 TRAEs than their own control arm?").calls
    assert "at_least" not in call.args and call.args["versus_control"] == "higher"


def test_arms_against_their_control_answer_with_both_figures(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Which first-line combos had fewer grade>=3 TRAEs than their own sorafenib control arm?"
    )
    assert "HIMALAYA, 25.8% vs 36.9% with sorafenib" in result.bottom_line
    assert "CARES-310" not in result.bottom_line


def test_a_question_over_every_rct_cites_trials_beyond_table_1(planner_assistant) -> None:
    result = planner_assistant.ask(
        "which 1L RCTs in the review had a sorafenib arm with median OS under 11 months?"
    )
    cited = {c.trial_id for c in result.citations}
    assert {"sharp", "oriental", "donafenib-vs-sorafenib", "orient-32"} <= cited
    assert "6.5 months" in result.bottom_line


def test_a_regimen_made_of_what_was_received_is_history_not_the_plan(planner_assistant) -> None:
    result = planner_assistant.ask(
        "6 TACEs over 3 yrs, then TACE + lenvatinib, now 2 growing lesions (3 and 4 cm), "
        "CP-A6 PS0. IR offers another TACE, rad onc offers SBRT. going with SBRT - reasonable?"
    )
    given = {v.regimen: v for v in result.verdicts}
    assert given["sbrt"].value == "suitable"
    assert given["tace"].value == "avoid"
    assert given["tace"].alternatives == ["HAIC", "SBRT"]  # TACE's alternatives, not a line
    assert "(including progression" not in result.bottom_line  # no parenthesis left open


@pytest.mark.parametrize(
    ("question", "regimen", "value"),
    [
        (
            "Lenvatinib 1L for 14 mo, now slow progression, PS0, CP-A5. Plan to add pembro to "
            "the lenvatinib - any support for that?",
            "lenvatinib_pembrolizumab",
            "suitable",
        ),
        (
            "PD on lenvatinib + sintilimab. CP-A6 PS1. plan: keep sintilimab, add ipilimumab?",
            "anti_pd1_plus_ipilimumab",
            "suitable",
        ),
    ],
)
def test_a_plan_to_add_a_drug_is_judged_as_the_combination_it_makes(
    planner_assistant, question: str, regimen: str, value: str
) -> None:
    result = planner_assistant.ask(question)
    assert [(v.regimen, v.value) for v in result.verdicts] == [(regimen, value)]


def test_a_why_question_quotes_the_reason_the_review_gives_next(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Why did sintilimab + IBI305 look worse than atezo/bev on PFS, ORR, PD rate - what do "
        "the authors put it down to?"
    )
    assert "slightly inferior" in result.bottom_line
    assert "This may be due to delays" in result.bottom_line  # the next sentence: the reason


def test_a_study_reported_in_words_gets_a_bottom_line_not_a_blank(planner_assistant) -> None:
    result = planner_assistant.ask(
        "in the Wang atezo/bev vascular invasion study, what % of pts meeting the criteria "
        "actually got resected?"
    )
    assert result.bottom_line.startswith("The review does not report a figure for this from")
    assert "high chance of surgical resection" in result.bottom_line


def test_a_plan_put_as_a_question_to_go_ahead_is_answered_yes_or_no(planner_assistant) -> None:
    result = planner_assistant.ask(
        "EGD today: F2 varices with red colour sign, banding booked next week. CP-A6, PS 0, "
        "uHCC. start atezo/bev now in parallel?"
    )
    assert result.bottom_line.startswith("No: Atezolizumab + bevacizumab: avoid")
