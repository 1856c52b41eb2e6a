"""The blind fresh sets (eval/cases/fresh): questions written from the review by someone who had
not read the code, scored on the default backend.

Their first-run scores are the honest measure and are recorded in the README; once the code has
been fixed on them they are regression tests. Two things hold without exception: nothing a
case excludes is ever recommended, and the output checks never fire on a correct answer. The
pass rate may not fall below the level reached on the date in FLOORS (raise it as it improves).

Slow: uses the real index, as `python -m eval run --cases eval/cases/fresh/setN` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eval import cli
from eval.cases import CASES_DIR, load_cases
from eval.guardrail_suites import OUTPUT_CHECKS
from eval.report import load_report

pytestmark = pytest.mark.slow

FRESH = CASES_DIR / "fresh"
# Pass rates reached on 2026-12-02 (first runs: set 1 57.2% at ccc5789, set 2 48.5% at e57b47e,
# set 3 82.6% at 7e16b0e, all on 2026-12-02).
FLOORS = {"set1": 0.89, "set2": 0.86, "set3": 0.84}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_a_fresh_set_holds_its_floor_and_never_recommends_what_it_excludes(
    name: str, tmp_path: Path, capsys
) -> None:
    cases = load_cases(FRESH / name)
    assert len(cases) >= 100 and len({c.id for c in cases}) == len(cases)
    cli.main(["run", "--cases", str(FRESH / name), "--out", str(tmp_path), "--quiet"])
    capsys.readouterr()
    report = load_report(tmp_path / "eval.json")
    passed = sum(row.passed for row in report.cases)
    assert passed / len(report.cases) >= FLOORS[name], f"{passed}/{len(report.cases)}"
    excluded = [
        (row.id, f) for row in report.cases for f in row.failures if "recommended but excluded" in f
    ]
    assert excluded == []
    alarms = [
        (row.id, check["check"])
        for row in report.cases
        if row.passed and not row.result["refused"]
        for check in row.result["guardrails"]
        if check["check"] in OUTPUT_CHECKS and not check["passed"]
    ]
    assert alarms == []
    # the answer first: every answered question opens with a bottom line
    silent = [
        row.id
        for row in report.cases
        if not row.result["refused"] and not str(row.result.get("bottom_line") or "").strip()
    ]
    assert silent == []
