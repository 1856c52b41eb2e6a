"""`python -m corpus build|search|trials|evaluate|parity|bench|shell`: the knowledge base."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence

from corpus.errors import CorpusError, IndexUnavailable, QueryError
from corpus.settings import IndexSettings

BENCH_QUERIES = (
    "which regimen needs EGD?",
    "What was the PD rate in LEAP-002?",
    "atezo/bev overall survival hazard ratio",
    "second line after atezolizumab plus bevacizumab",
    "HAIC or TACE for main portal vein tumour thrombus",
    "criteria for potentially resectable HCC before lenvatinib plus anti-PD-1",
    "grade 3 TRAEs camrelizumab rivoceranib",
    "donafenib dose",
    "STRIDE for Child-Pugh B",
    "IC50 of regorafenib on VEGFR2",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m corpus", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the search index (skipped when current)")
    build.add_argument("--force", action="store_true", help="rebuild even if current")
    search = commands.add_parser("search", help="ranked passages for a query")
    search.add_argument("query")
    search.add_argument("-k", type=int, default=5, help="how many passages (default 5)")
    search.add_argument("--json", action="store_true", help="machine-readable output")
    search.add_argument("--references", action="store_true", help="search the reference list too")
    trials = commands.add_parser("trials", help="list the trials, or show one with its figures")
    trials.add_argument("name", nargs="?", help="trial or regimen name, e.g. leap002, atezo/bev")
    evaluate = commands.add_parser("evaluate", help="recall@k and MRR on the gold questions")
    evaluate.add_argument("-k", type=int, default=5)
    evaluate.add_argument("--verbose", action="store_true", help="print every miss")
    commands.add_parser("shell", help="interactive search prompt (builds the index on first use)")
    commands.add_parser(
        "parity", help="ONNX query model vs sentence-transformers: cosine and retrieval quality"
    )
    bench = commands.add_parser("bench", help="index build time and query latency p50/p95")
    bench.add_argument("--repeat", type=int, default=20, help="timed rounds over the queries")
    return parser


def _cmd_build(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.chunking import review_chunks
    from corpus.index import build

    report = build(review_chunks(settings), settings, force=args.force)
    state = f"built ({report.reason})" if report.rebuilt else "already current"
    query_model = f"; {report.query_model}" if report.query_model else ""
    print(
        f"Index {state}{query_model}: {report.chunks} chunks, {report.seconds:.2f} s, "
        f"{settings.data_dir}"
    )
    return 0


def _cmd_search(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.retrieval import TEXT_KINDS, open_retriever, validate_query

    validate_query(args.query, settings.max_query_chars)  # before the index is opened or built
    retriever = open_retriever(settings)
    kinds = TEXT_KINDS | {"reference"} if args.references else TEXT_KINDS
    hits = retriever.search(args.query, k=args.k, kinds=kinds)
    if args.json:
        rows = [
            {
                "rank": n,
                "id": h.chunk.id,
                "score": round(h.score, 5),
                "section": h.chunk.section,
                "trials": list(h.chunk.trials),
                "refs": list(h.chunk.refs),
                "text": h.chunk.text,
            }
            for n, h in enumerate(hits, start=1)
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for n, hit in enumerate(hits, start=1):
        chunk = hit.chunk
        print(
            f"{n}. [{chunk.id}] {chunk.section}  (score {hit.score:.4f}; "
            f"dense #{hit.dense_rank or '-'}, lexical #{hit.lexical_rank or '-'})"
        )
        if chunk.trials:
            print(f"   trials: {', '.join(chunk.trials)}")
        if chunk.refs:
            print(f"   refs: {', '.join(map(str, chunk.refs))}")
        text = chunk.text if len(chunk.text) <= 600 else chunk.text[:600] + " ..."
        print("   " + text.replace("\n", "\n   "))
        print()
    return 0


def _cmd_trials(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.trials import describe, load_trials

    registry = load_trials()
    if not args.name:
        for trial in registry.trials:
            refs = ", ".join(map(str, trial.refs))
            print(f"{trial.id:<28} {trial.setting:<18} refs {refs}")
        return 0
    found = registry.lookup(args.name)
    if not found:
        print(
            f"error: no trial or regimen called {args.name!r} in the review "
            f"(try `python -m corpus trials` for the list)",
            file=sys.stderr,
        )
        return 1
    print("\n\n".join(describe(trial) for trial in found))
    return 0


def _cmd_evaluate(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.evaluation import evaluate, load_gold
    from corpus.retrieval import open_retriever

    report = evaluate(open_retriever(settings), load_gold(), k=args.k)
    print(f"Gold questions: {len(report.results)}")
    print(f"recall@{args.k}: {report.recall_at_k:.3f}")
    print(f"MRR (depth 20): {report.mrr:.3f}")
    for miss in report.misses() if args.verbose else []:
        print(
            f"  miss: {miss.question.question!r} wants {list(miss.question.relevant)}; "
            f"got {list(miss.ranked[: args.k])}"
        )
    return 0


def _cmd_bench(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.chunking import review_chunks
    from corpus.embeddings import MiniLMEmbedder
    from corpus.index import build
    from corpus.query_model import OnnxEmbedder
    from corpus.retrieval import HybridRetriever, open_retriever
    from corpus.timing import warm_latency

    started = time.perf_counter()
    chunks = review_chunks(settings)
    parse_seconds = time.perf_counter() - started
    cold = build(chunks, settings, force=True, progress=False)
    warm = build(chunks, settings, progress=False)
    retriever = open_retriever(settings, progress=False)
    print(f"parse + chunk: {parse_seconds * 1000:.0f} ms ({len(chunks)} chunks)")
    print(
        f"index build (forced, incl. model load and ONNX export): {cold.seconds:.2f} s; "
        f"when current (checked, skipped): {warm.seconds * 1000:.0f} ms"
    )
    searchers = [(f"query embedder {type(retriever.embedder).__name__}", retriever)]
    if isinstance(retriever.embedder, OnnxEmbedder):  # for comparison, the reference
        reference = HybridRetriever(
            chunks, retriever.collection, retriever.vocabulary, settings, MiniLMEmbedder()
        )
        searchers.append(("reference (sentence-transformers)", reference))
    for label, searcher in searchers:
        latency = warm_latency(searcher.search, BENCH_QUERIES, args.repeat)
        print(
            f"hybrid search, warm, {label}, {len(latency.timings_ms)} queries: "
            f"p50 {latency.p50:.1f} ms, p95 {latency.p95:.1f} ms (target < 50 ms)"
        )
    return 0


def _cmd_parity(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.parity import measure_parity

    report = measure_parity(settings)
    print(report.summary())
    return 0 if report.passed else 1


def _cmd_shell(args: argparse.Namespace, settings: IndexSettings) -> int:
    from corpus.retrieval import open_retriever

    retriever = open_retriever(settings)
    print("Search the review (empty line or Ctrl-D to quit). Example: which regimen needs EGD?")
    while True:
        try:
            query = input("search> ").strip()
        except EOFError:
            print()
            return 0
        if not query:
            return 0
        try:
            hits = retriever.search(query, k=5)
        except QueryError as error:
            print(f"error: {error}")
            continue
        for n, hit in enumerate(hits, start=1):
            snippet = " ".join(hit.chunk.text.split())[:240]
            print(f"{n}. [{hit.chunk.id}] {hit.chunk.section}\n   {snippet}")


COMMANDS = {
    "shell": _cmd_shell,
    "build": _cmd_build,
    "search": _cmd_search,
    "trials": _cmd_trials,
    "evaluate": _cmd_evaluate,
    "bench": _cmd_bench,
    "parity": _cmd_parity,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = IndexSettings()
        return COMMANDS[args.command](args, settings)
    except (CorpusError, IndexUnavailable, QueryError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
