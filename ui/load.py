"""Load check: N concurrent client sessions asking Q questions each, with cross-talk detection.

`python -m ui.load --sessions 20 --questions 5` starts the app on a free loopback port (or targets
`--url`), runs the sessions in threads through `gradio_client` and prints p50/p95 latency per
answer. Each session describes its own patient (a distinct AFP value); every answer's profile
panel and the session's chat history must stay that patient's, or the check fails.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FOLLOW_UPS = (
    "What if she also has untreated varices?",
    "What was the PD rate in LEAP-002?",
    "and if she had a liver transplant?",
    "Which first-line combination has the lowest PD rate?",
    "What if her ECOG is now 1?",
)


def patient_afp(session: int) -> int:
    """A distinct AFP per session: the marker that shows whose profile an answer used."""
    return 1000 + 37 * session


def questions_for(session: int, count: int) -> list[str]:
    first = (
        f"Child-Pugh A, ECOG 0, AFP {patient_afp(session)} ng/mL, no varices on EGD, "
        "long-term control: first-line options?"
    )
    follow = [FOLLOW_UPS[n % len(FOLLOW_UPS)] for n in range(count - 1)]
    return [first, *follow]


@dataclass
class SessionReport:
    session: int
    latencies_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    sessions: list[SessionReport]
    wall_s: float

    @property
    def latencies_s(self) -> list[float]:
        return sorted(t for s in self.sessions for t in s.latencies_s)

    @property
    def problems(self) -> list[str]:
        return [f"session {s.session}: {p}" for s in self.sessions for p in s.problems]

    def percentile(self, q: float) -> float:
        data = self.latencies_s
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(q / 100 * len(data) + 0.5) - 1))]

    def summary(self) -> str:
        answered = len(self.latencies_s)
        mean = statistics.fmean(self.latencies_s) if answered else float("nan")
        return (
            f"{len(self.sessions)} sessions, {answered} answers in {self.wall_s:.1f} s; "
            f"latency per answer (submit to final message): p50 "
            f"{self.percentile(50) * 1000:.0f} ms, p95 {self.percentile(95) * 1000:.0f} ms, "
            f"mean {mean * 1000:.0f} ms, max {max(self.latencies_s, default=0) * 1000:.0f} ms; "
            f"problems: {len(self.problems)}"
        )


def _text(content: Any) -> str:
    """A chat message's text (gradio_client returns a list of parts or a string)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content)


def check_output(output: tuple[Any, ...], session: int, asked: int) -> list[str]:
    """Problems in one /ask output: missing answer, another patient's profile or history."""
    from ui.profile_panel import FIELD_INDEX

    problems = []
    chat = output[1]
    panel = output[4:]
    if len(chat) != 2 * asked:
        problems.append(f"chat holds {len(chat)} messages after {asked} questions")
    answer = _text(chat[-1]["content"]) if chat else ""
    if not answer or "<strong>Not answered.</strong>" in answer:
        problems.append(f"question {asked} not answered: {answer[:80]!r}")
    questions = [_text(m["content"]) for m in chat if m["role"] == "user"]
    foreign = [q for q in questions if "AFP" in q and str(patient_afp(session)) not in q]
    if foreign:
        problems.append(f"another session's question in the chat: {foreign[0][:60]!r}")
    afp = panel[FIELD_INDEX["afp_ng_ml"]]
    if afp != str(patient_afp(session)):
        problems.append(f"profile AFP is {afp!r}, expected {patient_afp(session)}")
    return problems


def run_session(url: str, session: int, count: int, report: SessionReport) -> None:
    from gradio_client import Client

    try:
        client = Client(url, verbose=False, download_files=False)
        for asked, question in enumerate(questions_for(session, count), start=1):
            began = time.perf_counter()
            output = client.predict(question, api_name="/ask")
            report.latencies_s.append(time.perf_counter() - began)
            report.problems += check_output(output, session, asked)
    except Exception as error:  # a failed session is a finding of the check, not a crash
        report.problems.append(f"{type(error).__name__}: {error}")


def run_load(url: str, sessions: int = 20, questions: int = 5) -> LoadReport:
    """All sessions at once, one thread each; the report holds every latency and problem."""
    reports = [SessionReport(n) for n in range(sessions)]
    threads = [
        threading.Thread(target=run_session, args=(url, n, questions, reports[n]), daemon=True)
        for n in range(sessions)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return LoadReport(reports, time.perf_counter() - began)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(assistant_factory: Callable[[], Any] | None = None) -> tuple[Any, str]:
    """Start the app on a free loopback port in this process; (server, url), `server.close()`."""
    import app

    assistant = (assistant_factory or app.Assistant)()
    server = app.serve(assistant, "127.0.0.1", free_port(), block=False)
    return server, server.url


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    """Poll the app's health check until it is ready (index and model loaded, so the load
    measures a warm server); fail at once if the process died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with code {process.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{url.rstrip('/')}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the app did not answer at {url} within {timeout_s:.0f} s")


def spawn(port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """`python app.py` in its own process (as deployed): clients and server do not share a GIL."""
    port = port or free_port()
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, str(root / "app.py"), "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process)
    except Exception:
        process.terminate()
        raise
    return process, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.load", description=__doc__)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--url", help="a running app; default: start one on a free port")
    args = parser.parse_args(argv)
    process = None
    url = args.url
    if url is None:
        print("starting `python app.py` on a free port ...", flush=True)
        process, url = spawn()
    try:
        report = run_load(url, args.sessions, args.questions)
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
    print(report.summary())
    for problem in report.problems[:20]:
        print(f"  {problem}")
    expected = args.sessions * args.questions
    ok = not report.problems and len(report.latencies_s) == expected
    print("load check: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
