"""`python -m eval`: answer accuracy of a backend, run comparisons, the guardrail suites and the
clinical reader's phrase banks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from assistant.agent import Assistant
from assistant.backends import BackendError, make_model
from assistant.settings import AssistantSettings
from eval.cases import ANSWER_CASES, load_cases
from eval.compare import compare, render
from eval.guardrail_suites import false_alarms, input_rates, planted_report
from eval.metrics import RetrievalMetrics, measure
from eval.report import RunReport, case_rows, load_report, terminal_summary, write_report
from eval.runner import run_cases
from eval.thresholds import THRESHOLDS_PATH, load_thresholds, shortfalls

DEFAULT_OUT = Path("reports/eval")
BACKENDS = ("planner", "ollama", "openai")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run", help="run the cases, report every measure, exit 1 below the thresholds"
    )
    run.add_argument("--backend", choices=BACKENDS, help="default: HCC_BACKEND or planner")
    run.add_argument(
        "--cases", type=Path, default=ANSWER_CASES, help="a case file or a folder of them"
    )
    run.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for JSON, MD, PNG")
    run.add_argument("--thresholds", type=Path, default=THRESHOLDS_PATH)
    run.add_argument("--no-retrieval", action="store_true", help="skip recall@k and MRR")
    run.add_argument(
        "--judge",
        choices=BACKENDS[1:],
        help="also grade answers with this LLM backend (reported apart from the score)",
    )
    run.add_argument("--judge-model", help="the judge's model name (HCC_MODEL otherwise)")
    run.add_argument("--judge-base-url", help="the judge's server URL (HCC_BASE_URL otherwise)")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    diff = commands.add_parser("compare", help="regressions and fixes between two runs' JSON")
    diff.add_argument("before", type=Path)
    diff.add_argument("after", type=Path)
    guard = commands.add_parser(
        "guardrails", help="planted errors caught, input refusal rates, false alarms"
    )
    guard.add_argument("--quiet", action="store_true", help="no progress bar")
    guard.add_argument(
        "--no-replay", action="store_true", help="skip replaying correct answers via the servers"
    )
    timing = commands.add_parser(
        "guard-bench", help="time the output checks add per answer (p50, p95, max; warm)"
    )
    timing.add_argument("--limit", type=int, help="answer only the first N cases")
    reader = commands.add_parser(
        "reader", help="the clinical reader on a phrase bank: fact accuracy, unsafe answers"
    )
    reader.add_argument(
        "--bank", type=Path, action="append", help="a bank folder (default: every bank)"
    )
    reader.add_argument("--no-answers", action="store_true", help="score the reader only")
    reader.add_argument("--show", type=int, default=15, help="misses to list (default 15)")
    privacy = commands.add_parser(
        "privacy", help="the PHI bank: identifiers redacted in every output, clinical facts kept"
    )
    privacy.add_argument(
        "--bank", type=Path, help="a PHI bank YAML file (default: the shipped one)"
    )
    privacy.add_argument("--backend", choices=BACKENDS, help="default: HCC_BACKEND or planner")
    commands.add_parser(
        "asks", help="the planner's labelled examples: leave-one-out, lexical beside MiniLM"
    )
    return parser


def _reader(args: argparse.Namespace, settings: AssistantSettings) -> int:
    from eval.reader import READER_BANKS, field_table, load_bank, run_bank

    banks = args.bank or sorted(p for p in READER_BANKS.iterdir() if p.is_dir())
    assistant = None if args.no_answers else Assistant(settings)
    failed = False
    for bank in banks:
        entries = load_bank(bank)

        def answer(text: str) -> list[str]:
            assert assistant is not None
            return assistant.ask(text).recommended_ids

        report = run_bank(entries, None if assistant is None else answer)
        print(
            f"{bank.name}: {report.entries} entries; fact accuracy (value and status) "
            f"{report.accuracy:.1%} ({report.correct}/{report.facts}); values alone "
            f"{report.values_correct / max(report.facts, 1):.1%}; spurious facts "
            f"{len(report.spurious)} ({len(report.safety_spurious)} on safety fields)"
        )
        if assistant is not None:
            print(
                f"  unsafe recommendations: {len(report.unsafe)} in {report.answered} answers "
                "that recommended a regimen"
            )
            for unsafe in report.unsafe[: args.show]:
                print(f"  UNSAFE {unsafe.entry}: {unsafe.regimen} ({unsafe.why})")
        worst = [row for row in field_table(report, entries) if row[1] < row[2]]
        for name, correct, total in worst[:12]:
            print(f"  {name}: {correct}/{total}")
        for miss in report.misses[: args.show]:
            print(f"  MISS {miss.entry} {miss.field}: expected {miss.expected}, read {miss.got}")
        failed = failed or bool(report.unsafe)
    return 1 if failed else 0


def _retrieval(assistant: Assistant) -> RetrievalMetrics:
    from corpus.evaluation import evaluate, load_gold

    report = evaluate(assistant.deps.retriever(), load_gold())
    return RetrievalMetrics(
        k=report.k,
        questions=len(report.results),
        recall_at_k=round(report.recall_at_k, 3),
        mrr=round(report.mrr, 3),
    )


def _judge_settings(args: argparse.Namespace, settings: AssistantSettings) -> AssistantSettings:
    update = {"backend": args.judge, "temperature": 0.0}
    if args.judge_model:
        update["model"] = args.judge_model
    if args.judge_base_url:
        update["base_url"] = args.judge_base_url
    return settings.model_copy(update=update)


def run(args: argparse.Namespace, settings: AssistantSettings) -> int:
    cases = load_cases(args.cases)
    bar = load_thresholds(args.thresholds)
    assistant = Assistant(settings)
    runs = run_cases(assistant, cases, progress=not args.quiet)
    retrieval = None if args.no_retrieval else _retrieval(assistant)
    judged = None
    if args.judge:
        from eval.judge import judge_runs

        judged = judge_runs(make_model(_judge_settings(args, settings)), runs)
    metrics = measure(runs, retrieval)
    report = RunReport(
        backend=assistant.backend,
        cases_path=str(args.cases),
        metrics=metrics,
        shortfalls=shortfalls(metrics, bar),
        accuracy_bar=bar.accuracy,
        judge={k: v for k, v in judged.items() if k != "verdicts"} if judged else None,
        cases=case_rows(runs, judged["verdicts"] if judged else None),
    )
    for row in report.cases:
        if not row.passed:
            print(f"FAIL {row.id}: {'; '.join(row.failures)}", file=sys.stderr)
    print(terminal_summary(report))
    written = write_report(report, args.out)
    print(f"report: {', '.join(str(p) for p in written)}")
    return 0 if report.passed_bar else 1


def _guardrails(args: argparse.Namespace, settings: AssistantSettings) -> int:
    from assistant.tools import ToolDeps
    from eval.guardrail_suites import planted_by_kind, replay_false_alarms

    caught, missed = planted_report()
    refused, false_refusals = input_rates()
    assistant = Assistant(settings)
    runs = run_cases(assistant, load_cases(), progress=not args.quiet)
    alarms = false_alarms(runs)
    correct = sum(r.score.passed and not r.result.refused for r in runs)
    kinds = planted_by_kind()
    print(
        f"planted errors caught: {caught.hits}/{caught.total} ({caught.share:.0%}) "
        f"in {len(kinds)} kinds"
    )
    for kind, rate in kinds.items():
        print(f"  {kind:<28} {rate.hits:>3}/{rate.total:<3} {rate.share:.0%}")
    replays: list = []
    if not args.no_replay:
        replays = replay_false_alarms(runs, ToolDeps(settings=settings), not args.quiet)
        fired = [r for r in replays if r.alarms]
        answers = len({r.case_id for r in replays})
        print(
            f"false alarms on correct planner answers replayed as model text through the "
            f"scripted OpenAI-compatible and Ollama servers: {len(fired)}/{len(replays)} "
            f"({answers} answers, each as written and reworded)"
        )
        for replay in fired:
            print(
                f"  {replay.case_id} [{replay.rewording}, {replay.backend}]: "
                f"{', '.join(replay.alarms)}",
                file=sys.stderr,
            )
        alarms += [r.case_id for r in fired]
    print(
        f"input suite: refusal rate {refused.share:.0%} ({refused.hits}/{refused.total} "
        f"off-topic, emergency and injection-only); false-refusal rate "
        f"{false_refusals.share:.0%} ({false_refusals.hits}/{false_refusals.total} answerable)"
    )
    print(f"false alarms on correct answers of the accuracy set: {len(alarms)}/{correct}")
    for case_id in [*missed, *alarms]:
        print(f"  {case_id}", file=sys.stderr)
    return 0 if not missed and not alarms and refused.share == 1 and not false_refusals.hits else 1


def _privacy(args: argparse.Namespace, settings: AssistantSettings) -> int:
    from eval.privacy import BANK_PATH, failures, load_bank, render, run_bank

    bank = args.bank or BANK_PATH
    report = run_bank(Assistant(settings), load_bank(bank))
    for line in failures(report):
        print(line, file=sys.stderr)
    print(render(report, bank))
    return 0 if report.passed else 1


def _compare(args: argparse.Namespace) -> int:
    try:
        before, after = load_report(args.before), load_report(args.after)
    except (OSError, ValueError) as error:
        print(f"error: cannot read a run report: {error}".splitlines()[0], file=sys.stderr)
        return 2
    comparison = compare(before, after)
    print(render(comparison, before, after))
    return 1 if comparison.regressions else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "compare":
        return _compare(args)
    if args.command == "asks":
        from eval.asks import report as asks_report

        print(asks_report())
        return 0
    if args.command == "guard-bench":
        from eval.guard_bench import bench, raw_answers

        report = bench(raw_answers(args.limit))
        print(
            f"output checks per answer over {report.answers} planner answers (warm): "
            f"p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, max {report.max_ms} ms"
        )
        return 0
    settings = AssistantSettings()
    if getattr(args, "backend", None):
        settings = settings.model_copy(update={"backend": args.backend})
    try:
        if args.command == "guardrails":
            return _guardrails(args, settings)
        if args.command == "reader":
            return _reader(args, settings)
        if args.command == "privacy":
            return _privacy(args, settings)
        return run(args, settings)
    except (BackendError, ValueError, OSError) as error:
        print(f"error: {error}".splitlines()[0], file=sys.stderr)
        return 2
