"""CI's accuracy gate: the whole suite on the default backend clears `eval/thresholds.yaml`.

Slow: loads the embedding model and builds the real index (retrieval is measured too).
"""

import pytest

from eval import cli
from eval.guardrail_suites import OUTPUT_CHECKS
from eval.report import load_report

pytestmark = pytest.mark.slow


def test_the_default_backend_clears_the_release_bar(tmp_path, capsys) -> None:
    code = cli.main(["run", "--out", str(tmp_path), "--quiet"])
    printed = capsys.readouterr()
    assert code == 0, printed.out + printed.err
    report = load_report(tmp_path / "eval.json")
    assert len(report.cases) >= 200
    # Safety expectations hold without exception: nothing excluded is ever recommended.
    excluded = [f for row in report.cases for f in row.failures if "recommended but excluded" in f]
    assert excluded == []
    # The output guardrails leave every correct answer alone (no false alarms).
    alarms = [
        (row.id, check["check"])
        for row in report.cases
        if row.passed and not row.result["refused"]
        for check in row.result["guardrails"]
        if check["check"] in OUTPUT_CHECKS and not check["passed"]
    ]
    assert alarms == []
