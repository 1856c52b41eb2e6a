"""Cold-start benchmark: whole processes, as a clinician or a deployment meets them.

`python -m ui.coldstart [--runs 3]` times new processes (median of the runs) against the index in
HCC_DATA_DIR, which it builds first if needed (not timed):

- `python -m assistant ask` for a trial fact and for a question that searches the review (wall
  time, CPU time, peak memory from the kernel's accounting of the child);
- `python app.py`: start until ready (the index and the ONNX query model loaded and one answer
  given: `/healthz` answers 200, or, without it, the page answers), then the first answer through
  the web API;
- a 1,000-question `ask --batch` file (the bench questions in turn);
- warm planner latency per answer (p50/p95, in this process).

Each figure is printed with its target from issue 17. Other load on the machine slows wall times,
so the one-minute load average is printed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.cli_ask import BENCH_QUESTIONS
from ui.load import free_port

ROOT = Path(__file__).resolve().parent.parent
FACT = "What was the PD rate in LEAP-002?"
SEARCH = "What does the review say about anti-drug antibodies to atezolizumab?"
BATCH_SIZE = 1000


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    target: str
    met: bool

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        return f"{self.name:<40} {self.value:<36} target {self.target:<12} {verdict}"


# Peak memory comes from the kernel's accounting of the measured process, which also counts the
# image it was forked from: a child of this (large) benchmark process would inherit its size. So a
# small launcher (python -S -I, ~10 MB) forks and execs the command and reports its child's usage.
LAUNCHER = """
import json, os, sys, time
began = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
report = {"code": os.waitstatus_to_exitcode(status), "wall": time.perf_counter() - began,
          "cpu": usage.ru_utime + usage.ru_stime, "peak_kb": usage.ru_maxrss}
with open(sys.argv[1], "w") as out:
    json.dump(report, out)
"""


def run_process(command: Sequence[str], stdout: int | None = subprocess.DEVNULL) -> Run:
    """Run a command to its end; its wall time, CPU time and peak resident memory."""
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "usage.json"
        launched = subprocess.run(
            [sys.executable, "-S", "-I", "-c", LAUNCHER, str(report_path), *command],
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.PIPE,
        )
        report = json.loads(report_path.read_text()) if report_path.exists() else {"code": -1}
    if launched.returncode != 0 or report["code"] != 0:
        stderr = launched.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"{' '.join(command)} exited {report['code']}: {stderr}")
    return Run(report["wall"], report["cpu"], report["peak_kb"] / 1024)


def median_run(runs: Sequence[Run]) -> Run:
    return Run(
        statistics.median(r.wall_s for r in runs),
        statistics.median(r.cpu_s for r in runs),
        statistics.median(r.peak_mb for r in runs),
    )


def ask(question: str) -> Callable[[], Run]:
    command = [sys.executable, "-m", "assistant", "ask", "--json", question]
    return lambda: run_process(command)


def batch(path: Path) -> Callable[[], Run]:
    command = [sys.executable, "-m", "assistant", "ask", "--batch", str(path)]

    def run() -> Run:
        with tempfile.TemporaryFile() as out:
            result = run_process(command, stdout=out.fileno())
            out.seek(0)
            lines = out.read().splitlines()
        if len(lines) != BATCH_SIZE or any(b'"refused":true' in line for line in lines):
            raise RuntimeError(f"the batch gave {len(lines)} lines, or refused some")
        return result

    return run


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0  # not listening yet


def _ready(url: str) -> bool:
    """Ready: /healthz says 200 where the app has one (it may listen while it warms up);
    otherwise the page answers (the app warms before it listens)."""
    health = _status(url + "healthz")
    if health == 404:
        return _status(url) == 200
    return health == 200


def app_start(question: str) -> tuple[float, float]:
    """Seconds from `python app.py` to its page answering, then to the first answer."""
    from gradio_client import Client

    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not _ready(url):
            if process.poll() is not None:
                raise RuntimeError(f"app.py exited with {process.returncode} before serving")
            if time.perf_counter() - began > 300:
                raise TimeoutError("app.py was not ready within 300 s")
            time.sleep(0.05)
        ready = time.perf_counter() - began
        client = Client(url, verbose=False, download_files=False)
        asked = time.perf_counter()
        output = client.predict(question, api_name="/ask")
        first = time.perf_counter() - asked
        if not output[1] or "29.6%" not in json.dumps(output[1][-1]["content"]):
            raise RuntimeError("the app's first answer does not quote the review")
        return ready, first
    finally:
        process.terminate()
        process.wait(timeout=30)


def warm_planner(repeat: int) -> tuple[float, float]:
    from assistant.agent import Assistant
    from corpus.timing import warm_latency

    assistant = Assistant()
    latency = warm_latency(assistant.ask, BENCH_QUESTIONS, repeat)
    return latency.p50, latency.p95


def measure(runs: int, repeat: int) -> list[Figure]:
    figures = []
    for name, question, target_s in (
        ("cold ask, trial fact", FACT, 1.5),
        ("cold ask, review search", SEARCH, 2.5),
    ):
        run = median_run([ask(question)() for _ in range(runs)])
        figures.append(
            Figure(
                name,
                f"{run.wall_s:.2f} s (CPU {run.cpu_s:.2f} s), {run.peak_mb:.0f} MB",
                f"<= {target_s} s",
                run.wall_s <= target_s,
            )
        )
        if question == SEARCH:
            figures.append(
                Figure(
                    "peak memory, cold search answer",
                    f"{run.peak_mb:.0f} MB",
                    "<= 350 MB",
                    run.peak_mb <= 350,
                )
            )
    starts = [app_start(SEARCH) for _ in range(runs)]
    ready = statistics.median(s[0] for s in starts)
    first = statistics.median(s[1] for s in starts)
    figures.append(Figure("app: start to ready", f"{ready:.2f} s", "<= 5 s", ready <= 5))
    figures.append(
        Figure("app: first answer after ready (search)", f"{first:.2f} s", "< 1 s", first < 1)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "questions.jsonl"
        path.write_text(
            "".join(
                json.dumps({"id": str(n), "question": BENCH_QUESTIONS[n % len(BENCH_QUESTIONS)]})
                + "\n"
                for n in range(BATCH_SIZE)
            ),
            encoding="utf-8",
        )
        run = median_run([batch(path)() for _ in range(runs)])
    figures.append(
        Figure(
            f"{BATCH_SIZE:,}-question batch, wall",
            f"{run.wall_s:.1f} s (CPU {run.cpu_s:.1f} s)",
            "<= 20 s",
            run.wall_s <= 20,
        )
    )
    p50, p95 = warm_planner(repeat)
    figures.append(
        Figure(
            "warm planner answer p50 / p95",
            f"{p50:.0f} ms / {p95:.0f} ms",
            "p95 <= 38 ms",
            p95 <= 38,
        )
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.coldstart", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="new processes per figure (median)")
    parser.add_argument("--repeat", type=int, default=5, help="warm rounds over the questions")
    args = parser.parse_args(argv)
    print("building the index if needed (not timed) ...", flush=True)
    subprocess.run(
        [sys.executable, "-m", "corpus", "build"], cwd=ROOT, check=True, capture_output=True
    )
    load = os.getloadavg()[0]
    figures = measure(args.runs, args.repeat)
    print(
        f"median of {args.runs} new processes each; {os.cpu_count()} cores, "
        f"load average {load:.2f} at start"
    )
    for figure in figures:
        print(figure.line())
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
