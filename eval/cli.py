"""`python -m eval run`: answer accuracy of a backend on the case files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.agent import Assistant
from assistant.settings import AssistantSettings
from eval.cases import AGENT_QUESTIONS, load_cases
from eval.runner import pass_rates, run_cases


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the cases and print pass rates")
    run.add_argument("--backend", choices=("planner", "ollama", "openai"))
    run.add_argument("--cases", type=Path, default=AGENT_QUESTIONS)
    run.add_argument("--out", type=Path, help="write the per-case results as JSON here")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = AssistantSettings()
    if args.backend:
        settings = settings.model_copy(update={"backend": args.backend})
    cases = load_cases(args.cases)
    runs = run_cases(Assistant(settings), cases, progress=not args.quiet)
    rates = pass_rates(runs)
    print(f"{'category':<14} {'passed':>6} {'total':>6} {'rate':>7}")
    for category, (passed, total) in sorted(rates.items(), key=lambda kv: kv[0] == "overall"):
        print(f"{category:<14} {passed:>6} {total:>6} {passed / total:>7.1%}")
    for run in runs:
        if not run.score.passed:
            print(f"FAIL {run.score.case.id}: {'; '.join(run.score.failures)}", file=sys.stderr)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        rows = [
            {
                "id": r.score.case.id,
                "category": r.score.case.category,
                "passed": r.score.passed,
                "failures": list(r.score.failures),
                "seconds": round(r.seconds, 4),
                "result": r.result.model_dump(mode="json"),
            }
            for r in runs
        ]
        args.out.write_text(json.dumps({"pass_rates": rates, "cases": rows}, indent=2))
    return 0
