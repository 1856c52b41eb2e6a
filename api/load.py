"""API load check: N concurrent clients, each one conversation of Q questions, spread over servers.

`python -m api.load --url http://127.0.0.1:7861 --url http://127.0.0.1:7862 --clients 40
--questions 5` runs the clients in threads. Each client describes its own patient (a distinct
AFP value) and asks its follow-ups on the servers in turn (question k of client i goes to server
(i + k) mod S), so every conversation crosses replicas. An answer fails the check if it is an
error, lost, or shows another client's patient or question (cross-talk).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

FOLLOW_UPS = (
    "What if she also has untreated varices?",
    "What was the PD rate in LEAP-002?",
    "and if she had a liver transplant?",
    "Which first-line combination has the lowest PD rate?",
    "What if her ECOG is now 1?",
)


def patient_afp(client: int) -> int:
    return 2000 + 41 * client


def questions_for(client: int, count: int) -> list[str]:
    first = (
        f"Child-Pugh A, ECOG 0, AFP {patient_afp(client)} ng/mL, no varices on EGD, "
        "long-term control: first-line options?"
    )
    return [first, *(FOLLOW_UPS[n % len(FOLLOW_UPS)] for n in range(count - 1))]


@dataclass
class ClientReport:
    client: int
    latencies_s: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    servers: set[str] = field(default_factory=set)


@dataclass
class LoadReport:
    clients: list[ClientReport]
    wall_s: float
    expected: int

    @property
    def latencies_s(self) -> list[float]:
        return sorted(t for c in self.clients for t in c.latencies_s)

    @property
    def problems(self) -> list[str]:
        return [f"client {c.client}: {p}" for c in self.clients for p in c.problems]

    def percentile(self, q: float) -> float:
        data = self.latencies_s
        if not data:
            return float("nan")
        return data[min(len(data) - 1, max(0, round(q / 100 * len(data) + 0.5) - 1))]

    def summary(self) -> str:
        answered = len(self.latencies_s)
        return (
            f"{len(self.clients)} clients, {answered}/{self.expected} answers in "
            f"{self.wall_s:.1f} s; latency per answer p50 {self.percentile(50) * 1000:.0f} ms, "
            f"p95 {self.percentile(95) * 1000:.0f} ms, max "
            f"{max(self.latencies_s, default=0) * 1000:.0f} ms; errors and cross-talk: "
            f"{len(self.problems)}"
        )


def post(url: str, body: dict[str, Any], token: str | None, timeout_s: float) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        return dict(json.loads(response.read()))


def check_answer(answer: dict[str, Any], client: int, question: str) -> list[str]:
    problems = []
    if answer.get("refused"):
        problems.append(f"not answered: {str(answer.get('refusal_reason'))[:80]!r}")
    if answer.get("question") != question:
        problems.append(f"the answer is to another question: {answer.get('question')!r:.80}")
    afp = answer.get("profile", {}).get("afp_ng_ml")
    if afp is not None and afp != patient_afp(client):
        problems.append(f"profile AFP is {afp}, expected {patient_afp(client)}")
    if afp is None and "PD rate" not in question:  # a trial question reads no patient
        problems.append("the answer lost the patient's profile")
    return problems


def run_client(
    urls: list[str], client: int, count: int, report: ClientReport, token: str | None
) -> None:
    thread = None
    for asked, question in enumerate(questions_for(client, count)):
        base = urls[(client + asked) % len(urls)]
        began = time.perf_counter()
        try:
            answer = post(
                f"{base}/api/v1/ask",
                {"question": question, **({"thread": thread} if thread else {})},
                token,
                timeout_s=120,
            )
        except (OSError, ValueError) as error:
            detail = (
                error.read().decode()[:120] if isinstance(error, urllib.error.HTTPError) else ""
            )
            report.problems.append(f"question {asked + 1} on {base}: {error} {detail}".strip())
            return
        report.latencies_s.append(time.perf_counter() - began)
        report.servers.add(base)
        thread = thread or answer.get("thread")
        if answer.get("thread") != thread:
            report.problems.append(f"the thread changed to {answer.get('thread')}")
        report.problems += check_answer(answer, client, question)


def run_load(
    urls: list[str], clients: int = 40, questions: int = 5, token: str | None = None
) -> LoadReport:
    reports = [ClientReport(n) for n in range(clients)]
    threads = [
        threading.Thread(
            target=run_client, args=(urls, n, questions, reports[n], token), daemon=True
        )
        for n in range(clients)
    ]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return LoadReport(reports, time.perf_counter() - began, clients * questions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api.load", description=__doc__)
    parser.add_argument("--url", action="append", required=True, help="a server (repeatable)")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--token", help="the bearer token, when HCC_API_TOKEN is set")
    args = parser.parse_args(argv)
    urls = [u.rstrip("/") for u in args.url]
    report = run_load(urls, args.clients, args.questions, args.token)
    print(report.summary())
    for problem in report.problems[:20]:
        print(f"  {problem}")
    ok = not report.problems and len(report.latencies_s) == report.expected
    print("API load check: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
