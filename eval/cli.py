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
from eval.guardrail_suites import false_alarms, input_rates, planted_report
from eval.runner import pass_rates, run_cases


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the cases and print pass rates")
    run.add_argument("--backend", choices=("planner", "ollama", "openai"))
    run.add_argument("--cases", type=Path, default=AGENT_QUESTIONS)
    run.add_argument("--out", type=Path, help="write the per-case results as JSON here")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    guard = commands.add_parser(
        "guardrails", help="planted errors caught, input refusal rates, false alarms"
    )
    guard.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _guardrails(args: argparse.Namespace, settings: AssistantSettings) -> int:
    caught, missed = planted_report()
    refused, false_refusals = input_rates()
    runs = run_cases(Assistant(settings), load_cases(), progress=not args.quiet)
    alarms = false_alarms(runs)
    correct = sum(r.score.passed and not r.result.refused for r in runs)
    print(f"planted errors caught: {caught.hits}/{caught.total} ({caught.share:.0%})")
    print(
        f"input suite: refusal rate {refused.share:.0%} ({refused.hits}/{refused.total} "
        f"off-topic, emergency and injection-only); false-refusal rate "
        f"{false_refusals.share:.0%} ({false_refusals.hits}/{false_refusals.total} answerable)"
    )
    print(f"false alarms on correct answers of the accuracy set: {len(alarms)}/{correct}")
    for case_id in [*missed, *alarms]:
        print(f"  {case_id}", file=sys.stderr)
    return 0 if not missed and not alarms and refused.share == 1 and not false_refusals.hits else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = AssistantSettings()
    if getattr(args, "backend", None):
        settings = settings.model_copy(update={"backend": args.backend})
    if args.command == "guardrails":
        return _guardrails(args, settings)
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
