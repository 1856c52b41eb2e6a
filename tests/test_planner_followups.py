"""The planner across turns and on study questions: carried trials and regimens, unnamed studies,
design facts, Table 1 categories and control arms, dose questions."""

from langchain_core.messages import AIMessage, HumanMessage

from assistant.planner.compose import figure_text
from assistant.planner.followup import carried_calls, points_back
from assistant.planner.intent import Intent, plan
from assistant.planner.metrics import metrics_asked
from assistant.planner.state import earlier_lookups
from assistant.planner.studies import described_trials
from clinical.reader import read_conversation


def _ask(assistant, *questions: str):
    thread = assistant.new_thread()
    results = [assistant.ask(q, thread_id=thread) for q in questions]
    return results[-1]


# --- follow-ups carry the previous turn's trial ------------------------------------------------


def test_follow_up_figure_is_asked_of_the_previous_trial(planner_assistant) -> None:
    result = _ask(
        planner_assistant,
        "What was the ORR with toripalimab + bevacizumab in HEPATORCH?",
        "and the PD rate?",
    )
    assert result.intent == "trial_fact"
    assert result.trace[0].tool == "lookup_trial" and result.trace[0].args["name"] == "hepatorch"
    assert "25.3%" in result.answer
    assert {c.trial_id for c in result.citations} == {"hepatorch"}


def test_follow_up_hazard_ratio_keeps_the_trial(planner_assistant) -> None:
    result = _ask(
        planner_assistant,
        "median OS with camrelizumab + apatinib in CARES-310?",
        "what about its PFS hazard ratio?",
    )
    assert "0.54 (0.44–0.67)" in result.answer
    assert result.trace[0].args["metric"][0] == "PFS HR"
    assert "OS HR" not in result.trace[0].args["metric"]


def test_follow_up_of_a_ranking_ranks_the_new_figure(planner_assistant) -> None:
    result = _ask(
        planner_assistant,
        "Among the ICI + anti-VEGF combinations in Table 1, which had the highest ORR?",
        "and the PD rate?",
    )
    assert result.intent == "comparison"
    args = result.trace[0].args
    assert args["metric"] == "PD rate" and args["category"] == "ICI+anti-VEGF"


def test_a_new_question_naming_no_trial_is_not_carried() -> None:
    lookups = [{"tool": "lookup_trial", "name": "hepatorch", "metric": ["ORR"]}]
    question = "What does the review say about the PD rate of conversion therapy in general terms?"
    assert not points_back(question.lower())
    assert plan(question, lookups=lookups).intent is not Intent.TRIAL_FACT


def test_carried_calls_prefer_lookups_over_rankings() -> None:
    lookups = [
        {"tool": "lookup_trial", "name": "LEAP-002", "metric": "ORR"},
        {"tool": "compare_trials", "metric": "ORR", "order": "highest"},
    ]
    assert carried_calls(lookups, ["DCR"], ["DCR"], None) == [
        ("lookup_trial", {"name": "LEAP-002", "metric": ["DCR"]})
    ]
    ranked = [
        {"tool": "compare_trials", "metric": "ORR", "order": "highest", "category": "ICI+ICI"}
    ]
    assert carried_calls(ranked, ["DCR"], ["DCR"], None) == [
        ("compare_trials", {"category": "ICI+ICI", "metric": "DCR", "order": "best"})
    ]


def test_earlier_lookups_name_their_tool() -> None:
    messages = [
        HumanMessage("Which regimen has the lowest PD rate?"),
        AIMessage(
            "",
            tool_calls=[
                {"name": "compare_trials", "args": {"metric": "PD rate"}, "id": "1"},
            ],
        ),
        HumanMessage("and the ORR?"),
    ]
    assert earlier_lookups(messages) == [{"metric": "PD rate", "tool": "compare_trials"}]


# --- prior regimens accumulate across turns ----------------------------------------------------


def test_a_newly_failed_regimen_joins_the_earlier_ones() -> None:
    turns = ["progressed on atezo/bev", "then she progressed on lenvatinib too"]
    merged = read_conversation(turns).profile
    assert merged["prior_regimens"] == ["atezolizumab_bevacizumab", "lenvatinib"]
    again = read_conversation([*turns, "lenvatinib failed as well"]).profile
    assert again["prior_regimens"] == ["atezolizumab_bevacizumab", "lenvatinib"]


def test_instead_replaces_the_earlier_regimens() -> None:
    turns = ["progressed on atezo/bev", "what if she had received lenvatinib instead?"]
    assert read_conversation(turns).profile["prior_regimens"] == ["lenvatinib"]


def test_third_line_after_two_failures(planner_assistant) -> None:
    result = _ask(
        planner_assistant,
        "Child-Pugh A, ECOG 0, BCLC C, EGD shows no varices, goal is long-term control. "
        "First-line options?",
        "She got atezo/bev and progressed after 9 months. Second line?",
        "Then she progressed on lenvatinib too. What's left?",
    )
    assert result.profile["prior_regimens"] == ["atezolizumab_bevacizumab", "lenvatinib"]
    assert "atezolizumab_bevacizumab" not in result.recommended_ids


# --- a patient's facts with a choice between regimens is a selection ---------------------------


def test_patient_with_a_regimen_choice_gets_a_selection(planner_assistant) -> None:
    result = planner_assistant.ask(
        "HBV-related HCC, CP-A, ECOG 1, autoimmune hepatitis flare on steroids. "
        "Lenvatinib or sorafenib first line?"
    )
    assert result.intent == "first_line"
    assert result.trace[0].tool == "select_regimens"
    assert result.recommended_ids[0] == "lenvatinib"
    assert result.profile["active_autoimmune_disease"] is True
    assert "reflect" in {c.trial_id for c in result.citations}


def test_a_subgroup_of_a_named_comparison_stays_a_trial_question() -> None:
    question = "In the Chinese subgroup of the lenvatinib vs sorafenib trial, what was median OS?"
    assert plan(question).intent is Intent.TRIAL_FACT


# --- design and enrolment facts ----------------------------------------------------------------


def test_design_words_ask_for_size_sites_and_countries() -> None:
    assert {"n", "sites", "countries"} <= set(metrics_asked("what was the design of reflect?"))
    assert "n" in metrics_asked("rationale301: arm sizes and hr?")
    assert "sites" not in metrics_asked("two metastatic sites in the lung")


def test_sites_countries_and_design_sentence_are_shown(planner_assistant) -> None:
    answer = planner_assistant.ask("IMbrave150: how many sites and countries?").answer
    assert "111 sites" in answer and "17 countries" in answer
    assert "Design: a global phase III randomized controlled trial" in answer


def test_arm_sizes_are_shown(planner_assistant) -> None:
    answer = planner_assistant.ask("donafenib phase II-III: sites, arm sizes?").answer
    assert "n = 328" in answer and "n = 331" in answer and "37 sites" in answer


def test_a_stated_patient_number_brings_the_size(planner_assistant) -> None:
    result = planner_assistant.ask(
        "In the multinational study of 917 patients progressing on first-line lenvatinib, "
        "what were the OS HRs of the second-line options?"
    )
    assert "n = 917" in result.answer and "0.69" in result.answer


# --- studies described, not named --------------------------------------------------------------


def test_described_studies_are_found() -> None:
    assert described_trials(
        "What did the Japanese multicenter study show about continuing lenvatinib after "
        "progression?"
    ) == ["Japanese multicenter retrospective study of lenvatinib beyond progression"]
    assert "KCSG HB23-04" in described_trials(
        "Is there a prospective trial of lenvatinib after progression on first-line atezo/bev?"
    )
    assert described_trials("renal cell carcinoma trials on ICI rechallenge") == [
        "CONTACT-03",
        "TiNivo-2",
    ]
    assert described_trials("What is the ORR of lenvatinib?") == []


def test_a_study_without_figures_shows_its_findings(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Is there a prospective trial of lenvatinib after progression on first-line atezo/bev?"
    )
    assert "kcsg-hb23-04" in {c.trial_id for c in result.citations}
    assert "clinically meaningful efficacy outcomes" in result.answer


def test_described_study_must_hold_the_drugs_named(planner_assistant) -> None:
    result = planner_assistant.ask("Which is more toxic, len/pembro or camrelizumab + apatinib?")
    cited = {c.trial_id for c in result.citations}
    assert {"leap-002", "cares-310"} <= cited


def test_conversion_schedule_is_quoted(planner_assistant) -> None:
    answer = planner_assistant.ask(
        "In the atezo/bev conversion study with vascular invasion, how many cycles were given "
        "before resection?"
    ).answer
    assert "three cycles of atezo/bev and one cycle of atezolizumab" in answer


def test_launch_is_found_from_its_arms(planner_assistant) -> None:
    result = planner_assistant.ask("BCLC C on lenvatinib: does adding TACE prolong survival?")
    assert "launch" in {c.trial_id for c in result.citations}


# --- Table 1 categories and control arms -------------------------------------------------------


def test_bevacizumab_type_category_is_a_ranking(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Which ICI plus bevacizumab-type combination had the lowest PD rate?"
    )
    assert result.intent == "comparison"
    assert result.trace[0].args["category"] == "ICI+anti-VEGF"
    assert "1. SCT-H10A+SCT510 (NCT04560894): 17.9%" in result.answer
    assert "could not answer" not in result.answer


def test_a_regimen_outside_the_category_does_not_restrict_it() -> None:
    result = plan("atezo/bev vs the anti-PD-1 + TKI combos: how do the PD rates compare?")
    assert "category" not in result.calls[0].args


def test_control_arms_are_ranked(planner_assistant) -> None:
    result = planner_assistant.ask(
        "Across the Table 1 trials with a sorafenib control arm, which sorafenib arm had the "
        "longest median OS?"
    )
    args = result.trace[0].args
    assert args["arms"] == "control" and args["regimen"] == "sorafenib"
    assert "1. sorafenib (COSMIC-312): 15.5 months" in result.answer


def test_against_its_control_arm_ranks_the_experimental_arms() -> None:
    result = plan("Which Table 1 combination has the lowest OS hazard ratio against its control?")
    assert "arms" not in result.calls[0].args


# --- doses, locoregional questions without a patient, rendering --------------------------------


def test_dose_reduction_states_that_the_review_gives_no_dose(planner_assistant) -> None:
    result = planner_assistant.ask(
        "How should I dose-reduce lenvatinib for grade 3 hand-foot skin reaction?"
    )
    assert result.trace[0].args["metric"] == ["dose"]
    assert "no dose or dose modification" in result.answer
    assert "product label" in result.answer
    assert "TRAEs" not in result.answer


def test_regimens_without_trial_records_are_not_looked_up(planner_assistant) -> None:
    result = planner_assistant.ask("Starting dose of regorafenib after lenvatinib failure?")
    assert "could not answer" not in result.answer
    assert all(step.ok for step in result.trace)


def test_sbrt_without_a_patient_quotes_the_review(planner_assistant) -> None:
    result = planner_assistant.ask("When does the review suggest SBRT for HCC?")
    assert result.trace[0].tool == "search_review"
    assert "supports no systemic option" not in result.answer


def test_a_figure_printed_after_vs_reads_as_a_figure() -> None:
    # "higher ORR (15.8% vs 0; P = 0.062)": the sorafenib arm's figure is the "0".
    from corpus.trials import Metric, load_trials

    trial = load_trials().get("tki-after-atezo-bev-retrospective")
    (orr,) = [r for r in trial.results if r.metric is Metric.ORR and r.arm == "sorafenib"]
    assert figure_text(orr.text, orr.unit) == "0%"


def test_short_follow_ups_carry_what_the_last_turn_asked(planner_assistant) -> None:
    """ "and which first-line then?" after a patient; "and for len/pembro?" after a figure; "and the
    sorafenib arm ORR?" asks that arm of the trial just discussed (2026-12-02 fresh sets)."""
    thread = planner_assistant.new_thread()
    planner_assistant.ask(
        "61M s/p OLT 2017, recurrence with lung mets. CP-A6 PS1. can he have immunotherapy?",
        thread_id=thread,
    )
    first_line = planner_assistant.ask("and which first-line then?", thread_id=thread)
    assert first_line.intent == "first_line"
    assert "lenvatinib" in first_line.recommended_ids

    thread = planner_assistant.new_thread()
    planner_assistant.ask("ORR atezo/bev in IMbrave150?", thread_id=thread)
    regimen = planner_assistant.ask("and for len/pembro?", thread_id=thread)
    assert "26.1%" in regimen.bottom_line

    thread = planner_assistant.new_thread()
    planner_assistant.ask("HIMALAYA STRIDE ORR?", thread_id=thread)
    arm = planner_assistant.ask("and the sorafenib arm ORR?", thread_id=thread)
    assert [step.args["name"] for step in arm.trace] == ["himalaya"]
    assert "5.1% with sorafenib" in arm.bottom_line


def test_a_drug_alone_after_a_figure_asks_that_arm(planner_assistant) -> None:
    thread = planner_assistant.new_thread()
    planner_assistant.ask("HIMALAYA OS HR for STRIDE vs sorafenib?", thread_id=thread)
    alone = planner_assistant.ask("durva alone?", thread_id=thread)
    assert [step.args["name"] for step in alone.trace] == ["himalaya"]
    assert "OS HR 0.86" in alone.bottom_line
    assert "0.78" not in alone.bottom_line  # STRIDE's, not durvalumab's
