"""The answer-accuracy case files: size, grounding in the review, and coverage.

Coverage means: every Table 1 cell is asked for by a trial-fact case, every trial record is the
expected citation of some case, every rule of the rule core fires for some case (run through the
planner with the fast fake retriever), and every prior regimen the later-line rules distinguish
has a later-line case.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from clinical.profile import PatientProfile, TumourExtent
from clinical.rules import potential_resectability
from clinical.rules.book import load_rulebook
from eval.cases import CASES_DIR, Case, Category, load_cases

ROOT = Path(__file__).resolve().parents[1]
REVIEW = ROOT / "corpus" / "data" / "hcc-systemic-therapy-review.txt"
TRIALS = ROOT / "corpus" / "data" / "trials.yaml"
REGIMENS = ROOT / "corpus" / "data" / "regimens.yaml"
RULE_DATA = ROOT / "clinical" / "rules" / "data"
RULE_TABLES = ("common", "first_line", "later_line", "locoregional")

MINIMUM_CASES = 200
MINIMUM_PER_CATEGORY = {"refusal": 8, "safety": 8, "dose": 8}

# Rule ids no plain-language question can fire, each with the reason. Keep this minimal: a rule
# listed here that some case does fire fails the test, so the list cannot go stale.
UNREACHABLE_RULES = {
    # The first-line table already avoids STRIDE for a conversion goal (FL-CONV-AVOID-STRIDE) and a
    # large burden (FL-AVOID-STRIDE-LARGE-BURDEN) under the same conditions, and avoiding wins
    # before the safety filter runs, so this invariant only guards against a future table edit.
    "SAFETY-STRIDE-CONVERSION-OR-LARGE-BURDEN",
    # Every recommending rule of the tables names its trials, so no option reaches the safety
    # filter uncited; the invariant guards against a future table edit.
    "SAFETY-UNCITED",
}

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _figure_in(text: str, figure: str) -> bool:
    """`figure` as a whole number in `text` (the scorer's rule: "19" is not inside "19.2")."""
    number = re.escape(figure.strip())
    return re.search(rf"(?<![\d.]){number}(?![\d]|\.\d)", text) is not None


HOLDOUT = CASES_DIR / "holdout"


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases()


@pytest.fixture(scope="module")
def all_cases(cases) -> list[Case]:
    """The suite and the blind held-out set: both must be grounded in the review."""
    return [*cases, *load_cases(HOLDOUT)]


@pytest.fixture(scope="module")
def trial_records() -> list[dict[str, Any]]:
    return yaml.safe_load(TRIALS.read_text(encoding="utf-8"))["trials"]


@pytest.fixture(scope="module")
def rulebook_data() -> dict[str, dict[str, Any]]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in RULE_DATA.glob("*.yaml")
    }


@pytest.fixture(scope="module")
def runs(cases, fake_retriever_factory, tmp_path_factory) -> dict[str, Any]:
    """Every case through the planner backend with the fake retriever, once per module."""
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps
    from eval.runner import run_case

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HCC_DATA_DIR", str(tmp_path_factory.mktemp("eval-cases-data")))
        assistant = Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))
        return {case.id: run_case(assistant, case).result for case in cases}


# --- the case files ---------------------------------------------------------------------------


def test_case_files_load_with_enough_cases(cases) -> None:
    assert len(cases) >= MINIMUM_CASES
    ids = [case.id for case in cases]
    assert len(ids) == len(set(ids))


def test_every_category_has_cases(cases) -> None:
    counts = {category: 0 for category in typing.get_args(Category)}
    for case in cases:
        counts[case.category] += 1
    assert [c for c, n in counts.items() if n == 0] == []
    short = {c: counts[c] for c, n in MINIMUM_PER_CATEGORY.items() if counts[c] < n}
    assert short == {}


def test_refusal_cases_include_answered_injections(cases) -> None:
    refusal = [case for case in cases if case.category == "refusal"]
    assert sum(case.expect.refused for case in refusal) >= 8
    assert sum(not case.expect.refused for case in refusal) >= 3


def test_multi_turn_cases_check_the_profile(cases) -> None:
    multi_turn = [case for case in cases if case.turns]
    assert len(multi_turn) >= 10
    assert sum(bool(case.expect.profile) for case in multi_turn) >= 10


# --- grounding --------------------------------------------------------------------------------


def test_every_figure_is_a_number_printed_in_the_review(all_cases) -> None:
    review = REVIEW.read_text(encoding="utf-8")
    missing = [
        (case.id, figure)
        for case in all_cases
        for figure in case.expect.figures
        if not NUMBER.fullmatch(figure) or not _figure_in(review, figure)
    ]
    assert missing == []


def test_every_trial_id_is_a_trial_record(all_cases, trial_records) -> None:
    known = {trial["id"] for trial in trial_records}
    unknown = [
        (case.id, trial)
        for case in all_cases
        for trial in (*case.expect.trials, *case.expect.may_cite)
        if trial not in known
    ]
    assert unknown == []


def test_every_regimen_id_is_in_the_catalogue(all_cases) -> None:
    catalogue = yaml.safe_load(REGIMENS.read_text(encoding="utf-8"))
    known = {regimen["id"] for regimen in catalogue["regimens"]}
    unknown = [
        (case.id, regimen)
        for case in all_cases
        for regimen in (
            *case.expect.recommended,
            *case.expect.not_recommended,
            *case.expect.avoided,
        )
        if regimen not in known
    ]
    assert unknown == []


def test_profile_expectations_name_profile_fields(all_cases) -> None:
    # The scorer reads tumour fields at the top level too ({"largest_size_cm": 13.0}).
    fields = (set(PatientProfile.model_fields) | set(TumourExtent.model_fields)) - {"tumour"}
    unknown = [
        (case.id, key) for case in all_cases for key in case.expect.profile if key not in fields
    ]
    assert unknown == []


def test_case_profiles_are_valid_patient_profiles(all_cases) -> None:
    for case in all_cases:
        if case.profile is not None:
            PatientProfile.model_validate(case.profile)


# --- coverage ---------------------------------------------------------------------------------


def _table1_cells(trial_records) -> list[tuple[str, str, str | None, str]]:
    """(trial id, metric, arm, printed text) of every Table 1 cell in the trial records."""
    return [
        (trial["id"], result["metric"], result.get("arm"), result["text"])
        for trial in trial_records
        for result in trial["results"]
        if result.get("source") == "table1"
    ]


def test_table1_records_are_complete(trial_records) -> None:
    cells = _table1_cells(trial_records)
    assert len({trial for trial, *_ in cells}) == 10
    # Two arms x eight columns per row, minus the HR cells printed once per row.
    assert len(cells) == 10 * 14


def test_every_table1_cell_is_asked_by_a_trial_fact_case(cases, trial_records) -> None:
    facts = [case for case in cases if case.category == "trial_fact"]
    uncovered = []
    for trial, metric, arm, text in _table1_cells(trial_records):
        asked = [case for case in facts if trial in case.expect.trials]
        numbers = NUMBER.findall(text)
        if numbers:  # every printed number of the cell, CI level and bounds included
            covered = any(set(numbers) <= set(case.expect.figures) for case in asked)
        else:  # "NR" / "NA": the answer must say so
            covered = any(
                any(text in mention for mention in case.expect.mentions) for case in asked
            )
        if not covered:
            uncovered.append((trial, metric, arm, text))
    assert uncovered == []


def test_every_trial_record_is_expected_by_some_case(cases, trial_records) -> None:
    expected = {trial for case in cases for trial in case.expect.trials}
    assert [t["id"] for t in trial_records if t["id"] not in expected] == []


def _rule_ids(rulebook_data) -> set[str]:
    ids = {rule["id"] for name in RULE_TABLES for rule in rulebook_data[name]["rules"]}
    ids |= {invariant["id"] for invariant in rulebook_data["safety"]["invariants"].values()}
    return ids


def test_every_rule_fires_for_some_case(runs, rulebook_data) -> None:
    fired = {rule for result in runs.values() for rule in result.rules_fired}
    rules = _rule_ids(rulebook_data)
    assert rules >= UNREACHABLE_RULES, "the allowlist names a rule that no longer exists"
    assert sorted(rules - fired - UNREACHABLE_RULES) == []
    assert sorted(UNREACHABLE_RULES & fired) == [], "a case fires it: drop it from the allowlist"


def test_every_resectability_criterion_is_exercised(runs, rulebook_data) -> None:
    """Each criteria set met for some case and not met for another; each criterion failed once."""
    overall: dict[str, set[str]] = {}
    failed: set[str] = set()
    assessed = [
        result
        for result in runs.values()
        if any(step.tool == "check_resectability" for step in result.trace)
    ]
    book = load_rulebook()
    for result in assessed:
        assessment = potential_resectability(PatientProfile.model_validate(result.profile), book)
        for criteria_set in assessment.criteria_sets:
            overall.setdefault(criteria_set.id, set()).add(criteria_set.overall)
            failed |= {c.id for c in criteria_set.criteria if c.status == "not_met"}
    resectability = rulebook_data["resectability"]
    sets = {spec["id"]: spec for spec in resectability["criteria_sets"]}
    assert {s: {"met", "not_met"} - overall.get(s, set()) for s in sets} == {s: set() for s in sets}
    criteria = {c["id"] for spec in sets.values() for c in spec["criteria"]}
    assert sorted(criteria - failed) == []
    # The notes (the Japanese consensus) are part of every assessment shown.
    notes = [note["text"].split(";")[0] for note in resectability["notes"]]
    answers = " ".join(" ".join(r.answer.split()) for r in assessed)
    assert [note for note in notes if " ".join(note.split()) not in answers] == []


def _later_line_groups(rulebook_data) -> set[str]:
    groups: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("field") == "last_prior_regimen" and "in_group" in node:
                groups.add(node["in_group"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([rule.get("when") for rule in rulebook_data["later_line"]["rules"]])
    return groups


def test_every_prior_regimen_group_has_a_later_line_case(cases, runs, rulebook_data) -> None:
    members = rulebook_data["vocabulary"]["groups"]
    groups = _later_line_groups(rulebook_data)
    assert groups, "the later-line rules no longer key on the failed regimen"
    last_failed: set[str] = set()
    for case in cases:
        if case.category != "later_line":
            continue
        for profile in (case.expect.profile, case.profile or {}, runs[case.id].profile):
            prior = profile.get("prior_regimens") or []
            if prior:
                last_failed.add(prior[-1])
    uncovered = [g for g in sorted(groups) if not set(members[g]) & last_failed]
    assert uncovered == []
