"""The accuracy question set through the default backend (slow: loads the embedding model)."""

import pytest

from assistant.agent import Assistant
from assistant.settings import AssistantSettings
from corpus.settings import IndexSettings
from eval.cases import load_cases
from eval.guardrail_suites import false_alarms
from eval.runner import pass_rates, run_cases

pytestmark = pytest.mark.slow

MINIMUM_PASS_RATE = 0.95  # measured 117/120; see `python -m eval run`


def test_accuracy_question_set(tmp_path) -> None:
    cases = load_cases()
    assert len(cases) >= 60
    settings = AssistantSettings(index=IndexSettings(data_dir=tmp_path / "data"))
    runs = run_cases(Assistant(settings), cases, progress=False)
    passed, total = pass_rates(runs)["overall"]
    failures = {r.score.case.id: r.score.failures for r in runs if not r.score.passed}
    assert passed / total >= MINIMUM_PASS_RATE, failures
    # Safety expectations hold without exception: nothing excluded is ever recommended.
    excluded = [f for fs in failures.values() for f in fs if "recommended but excluded" in f]
    assert excluded == []
    # The output guardrails leave every correct answer alone.
    assert false_alarms(runs) == []
