"""The suite's measures: numeric fidelity, rule-core agreement, rates, latency, thresholds."""

import pytest

from clinical.answer import AnswerResult, ToolTrace
from corpus.sources import Citation
from eval.agreement import regimen_agreement, rule_core_trials
from eval.cases import Case, Expectation
from eval.fidelity import check_numbers, stated_numbers
from eval.metrics import Rate, RetrievalMetrics, measure, percentile
from eval.runner import CaseRun
from eval.scoring import score
from eval.thresholds import THRESHOLDS_PATH, Thresholds, load_thresholds, shortfalls

VARICES = {"line": "first", "child_pugh_class": "A", "ecog": 0, "varices": "untreated_or_severe"}


def selection(recommended: list[str], profile: dict = VARICES) -> AnswerResult:
    return AnswerResult(
        answer="options",
        recommended_ids=recommended,
        profile=profile,
        trace=[ToolTrace(tool="select_regimens", args={"profile": profile}, ok=True)],
    )


def run(category: str, result: AnswerResult, seconds: float = 0.01, **expect) -> CaseRun:
    case = Case(
        id=f"c-{category.replace('_', '-')}-{id(result)}",
        category=category,
        question="q",
        expect=Expectation(**expect),
        source="Table 1",
    )
    return CaseRun(score(case, result), result, seconds)


# --- numeric fidelity ---------------------------------------------------------------------------


def test_names_citations_and_the_reference_list_hold_no_figures() -> None:
    answer = (
        "1. In LEAP-002 and IMbrave150 the anti-PD-1 arm had ORR 26.1% "
        "[LEAP-002; refs 24, 33–35].\n"
        "_Rules applied: FL-1, SAFETY-2._\n\n**References**\n24. Finn RS. 2020;38(36):4317."
    )
    assert stated_numbers(answer) == ["26.1"]


def test_a_number_the_review_never_prints_is_untraceable() -> None:
    checked = check_numbers("PD rate 12.2% vs 77.7%")
    assert checked.numbers == ("12.2", "77.7") and checked.untraceable == ("77.7",)
    assert check_numbers("tumour 77.7 cm", user_text=["largest 77.7 cm"]).untraceable == ()


# --- regimen agreement with the rule core -------------------------------------------------------


def test_the_rule_core_is_the_reference_for_recommendations() -> None:
    from clinical.profile import parse_profile
    from clinical.rules import recommend

    reference = [o.regimen for o in recommend(parse_profile(VARICES)).recommended]
    agreed = regimen_agreement(selection(reference))
    assert agreed is not None and agreed.agrees
    clash = regimen_agreement(selection([*reference, "atezolizumab_bevacizumab"]))
    assert clash is not None and not clash.agrees
    assert "atezolizumab_bevacizumab" in clash.detail and "avoided" in clash.detail
    missing = regimen_agreement(selection(reference[:1]))
    assert missing is not None and not missing.agrees and "also recommends" in missing.detail


def test_answers_without_a_selection_are_not_compared() -> None:
    assert regimen_agreement(AnswerResult(answer="ORR 26.1%")) is None
    assert regimen_agreement(AnswerResult.refusal("no")) is None


def test_trials_behind_the_rule_core_options_are_citable_context() -> None:
    context = rule_core_trials(selection([]))
    assert {"leap-002", "imbrave150"} <= context  # an option, and the avoided atezo/bev


# --- rates ----------------------------------------------------------------------------------------


def test_citation_precision_and_recall_count_trials() -> None:
    cited = AnswerResult(
        answer="x", citations=[Citation(trial=t, trial_id=t) for t in ("leap-002", "reflect")]
    )
    metrics = measure([run("trial_fact", cited, trials=["leap-002", "imbrave150"])])
    assert metrics.citations.precision == Rate(hits=1, total=2)
    assert metrics.citations.recall == Rate(hits=1, total=2)
    allowed = measure([run("trial_fact", cited, trials=["leap-002"], may_cite=["reflect"])])
    assert allowed.citations.precision.share == 1.0


def test_refusal_precision_and_recall() -> None:
    runs = [
        run("refusal", AnswerResult.refusal("off topic"), refused=True),  # true refusal
        run("refusal", AnswerResult(answer="answered"), refused=True),  # missed refusal
        run("general", AnswerResult.refusal("over-cautious")),  # false refusal
        run("general", AnswerResult(answer="fine")),
    ]
    refusals = measure(runs).refusals
    assert refusals.precision == Rate(hits=1, total=2)
    assert refusals.recall == Rate(hits=1, total=2)


def test_accuracy_per_category_and_overall() -> None:
    runs = [
        run("safety", AnswerResult(answer="a")),
        run("safety", AnswerResult(answer="a"), recommended=["lenvatinib"]),
        run("dose", AnswerResult(answer="a")),
    ]
    accuracy = measure(runs).accuracy
    assert accuracy["safety"] == Rate(hits=1, total=2)
    assert accuracy["dose"] == Rate(hits=1, total=1)
    assert accuracy["overall"] == Rate(hits=2, total=3)


def test_latency_percentiles() -> None:
    assert percentile([float(v) for v in range(1, 101)], 0.95) == 95.0
    assert percentile([3.0], 0.5) == 3.0
    runs = [run("general", AnswerResult(answer="a"), seconds=s / 1000) for s in range(1, 21)]
    latency = measure(runs).latency
    assert latency.p50_ms == 10.5 and latency.p95_ms == 19.0 and latency.max_ms == 20.0


# --- thresholds -----------------------------------------------------------------------------------


def test_the_release_bar_is_the_issue_s() -> None:
    bar = load_thresholds(THRESHOLDS_PATH)
    assert bar.accuracy["overall"] >= 0.95
    assert bar.accuracy["safety"] == bar.accuracy["refusal"] == 1.0
    assert bar.numeric_fidelity == 1.0


def test_each_shortfall_is_named() -> None:
    runs = [
        run("safety", AnswerResult(answer="a"), recommended=["lenvatinib"]),
        run("general", AnswerResult(answer="ORR 77.7%")),
    ]
    metrics = measure(runs, RetrievalMetrics(k=5, questions=2, recall_at_k=0.5, mrr=0.5))
    bar = Thresholds(
        accuracy={"overall": 0.95, "safety": 1.0, "refusal": 1.0},
        numeric_fidelity=1.0,
        retrieval_recall_at_k=0.9,
    )
    problems = shortfalls(metrics, bar)
    assert any(p.startswith("accuracy[overall]: 0.0%") for p in problems)
    assert any(p.startswith("accuracy[safety]") for p in problems)
    assert "accuracy[refusal]: not measured (threshold 100%)" in problems
    assert any(p.startswith("numeric_fidelity") for p in problems)
    assert any(p.startswith("retrieval_recall_at_k: 50.0%") for p in problems)
    assert shortfalls(metrics, Thresholds()) == []


def test_unknown_threshold_names_are_rejected(tmp_path) -> None:
    path = tmp_path / "bar.yaml"
    path.write_text("accuracy: {overall: 0.9}\nnumeric_fidelty: 1.0\n")
    with pytest.raises(ValueError, match="numeric_fidelty"):
        load_thresholds(path)
