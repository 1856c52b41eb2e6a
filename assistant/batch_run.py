"""Answering a batch file over several processes, printed in the file's order.

An answer is a few tens of milliseconds of pure-Python work, so a 1,000-question batch is bound by
one core; the machine has more. The lines are read first, then shared among worker processes
forked from this one once the assistant is loaded (the children inherit it, its data and its
imports; nothing is loaded twice). What a worker gets is a *task*: either a run of consecutive
lines without a thread, or every line of one conversation thread, in order, so a follow-up is
asked in the same process, after its thread's earlier questions, as in a single process. Each
answer depends on its own line and thread only, so the results are the same as one process
gives, and they are printed in the file's order as soon as the lines before them are done.

If a worker dies, the lines not yet answered are answered here, in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from assistant.batch import BatchLine

# The worker's view: the function that answers a run of lines (it holds the batch). Set before
# the fork, so the children inherit it (nothing is pickled but line numbers and answers).
_ANSWER: Callable[[list[int]], list[str]] | None = None

CHUNK = 25  # lines per task without a thread: small enough to balance, large enough to be cheap
MIN_LINES_PER_WORKER = 50  # below this a second process costs more than it saves


def default_workers(lines: int) -> int:
    """One worker per available core, fewer for a short batch; 1 means answer in this process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, lines // MIN_LINES_PER_WORKER))


def tasks(lines: Sequence[BatchLine]) -> list[list[int]]:
    """Indices of `lines` grouped into tasks: each thread's lines together, in order; the other
    lines in runs of up to CHUNK consecutive lines. Tasks are ordered by their first line."""
    threads: dict[str, list[int]] = {}
    found: list[list[int]] = []
    run: list[int] = []
    for index, line in enumerate(lines):
        if line.thread is not None and line.problem is None:
            if line.thread not in threads:
                threads[line.thread] = []
                found.append(threads[line.thread])
            threads[line.thread].append(index)
            continue
        if not run or len(run) == CHUNK or run[-1] != index - 1:
            run = []
            found.append(run)
        run.append(index)
    return sorted(found, key=lambda task: task[0])


def _work(task: list[int]) -> list[tuple[int, str]]:
    assert _ANSWER is not None
    return list(zip(task, _ANSWER(task), strict=True))


def answer_in_order(
    lines: Sequence[BatchLine],
    answer: Callable[[list[int]], list[str]],
    workers: int,
) -> Iterator[str]:
    """Every line's result (from `answer`, given the indices of a task), in the lines' order."""
    global _ANSWER
    # Forking is only safe with no other thread running (one could hold a lock the child needs).
    alone = threading.active_count() == 1
    if workers <= 1 or not alone or "fork" not in multiprocessing.get_all_start_methods():
        yield from answer(list(range(len(lines))))
        return
    _ANSWER = answer
    done: dict[int, str] = {}
    following = 0
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))
    try:
        futures: list[Future[list[tuple[int, str]]]] = [
            pool.submit(_work, task) for task in tasks(lines)
        ]
        for future in futures:  # in order of first line: each one unblocks a prefix
            try:
                done.update(future.result())
            except BrokenProcessPool:
                break
            while following in done:
                yield done.pop(following)
                following += 1
    finally:
        # Also when the reader stops early (a closed pipe): the tasks not started are dropped
        # rather than answered for no one.
        pool.shutdown(wait=False, cancel_futures=True)
        _ANSWER = None
    missing = [i for i in range(following, len(lines)) if i not in done]
    if missing:  # a worker died: the rest is answered here, threads in order as before
        done.update(zip(missing, answer(missing), strict=True))
    while following in done:
        yield done.pop(following)
        following += 1
