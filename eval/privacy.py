"""`python -m eval privacy`: the PHI bank through every output, with its two targets.

Each case of eval/cases/privacy/phi_bank.yaml is asked through the assistant and the web app's
chat service, then exported. An identifier counts as redacted only if it is gone from every
output: the redacted question, the result's JSON, the chat messages, both export files and
every log record written meanwhile; and gone whole, with no piece left ("[NAME]é Álvarez").
A clinical fact counts as kept only if it is in the redacted question exactly as written.
"""

from __future__ import annotations

import json
import logging
import re
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from assistant.agent import Assistant
from corpus.paths import REVIEW_PATH
from guardrails.phi import redact_identifiers
from ui.export import json_text, markdown_text, record, scrub
from ui.service import ChatService, history
from ui.session import Session

BANK_PATH = Path(__file__).parent / "cases" / "privacy" / "phi_bank.yaml"
# Words of an identifier that identify nobody: the cue before a number and the facility words
# of a hospital's name. They may stay ("[HOSPITAL]" replaces "Ruijin Hospital" whole, but
# "hospital" may appear elsewhere in the answer).
GENERIC = frozenset(
    "hospital hospitals university medical college center centre clinic cancer institute the of "
    "and st saint general national east west first affiliated school teaching memorial royal "
    "mrn id dob born on in is no number record age aged years old year yo "
    # the parts of an e-mail address or URL that name a service, not a person
    "com org net edu gov co uk cn jp de es ae ru ng www http https nhs mail".split()
)
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


@dataclass(frozen=True)
class PrivacyCase:
    id: str
    kind: str
    text: str
    identifiers: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass
class CaseOutcome:
    case: PrivacyCase
    leaks: list[str] = field(default_factory=list)  # "identifier: where"
    lost: list[str] = field(default_factory=list)
    redact_ms: float = 0.0
    answer: str | None = None  # the answer, when the question was answered


@dataclass
class PrivacyReport:
    outcomes: list[CaseOutcome]
    answers_checked: int
    answers_altered: list[str]
    first_call_s: float  # the name dictionary and our recognizers
    first_digits_call_s: float  # then a phone number: Presidio's analyzer is built

    @property
    def identifiers(self) -> int:
        return sum(len(o.case.identifiers) for o in self.outcomes)

    @property
    def leaked(self) -> int:
        return sum(len({leak.split(": ")[0] for leak in o.leaks}) for o in self.outcomes)

    @property
    def facts(self) -> int:
        return sum(len(o.case.keep) for o in self.outcomes)

    @property
    def lost(self) -> int:
        return sum(len(o.lost) for o in self.outcomes)

    @property
    def passed(self) -> bool:
        return self.leaked == 0 and self.lost == 0 and not self.answers_altered


def load_bank(path: Path = BANK_PATH) -> list[PrivacyCase]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        PrivacyCase(
            id=str(c["id"]),
            kind=str(c["kind"]),
            text=str(c["text"]),
            identifiers=tuple(map(str, c.get("identifiers") or ())),
            keep=tuple(map(str, c.get("keep") or ())),
        )
        for c in raw["cases"]
    ]


@cache
def _review_words() -> frozenset[str]:
    text = REVIEW_PATH.read_text("utf-8")
    return frozenset(t.casefold() for t in re.findall(r"[^\W_]+", text))


def _present(token: str, text: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(token)}(?![^\W_])", text, re.IGNORECASE) is not None


def pieces(identifier: str) -> list[str]:
    """Every word or number of an identifier that identifies (not "hospital", not "MRN")."""
    tokens = _TOKEN.findall(identifier) or [identifier]
    kept = [t for t in tokens if t.casefold() not in GENERIC and (len(t) > 1 or not t.isascii())]
    return kept or [identifier]


def distinctive(identifier: str) -> list[str]:
    """The pieces that cannot come from the review itself (its authors, years and numbers)."""
    review = _review_words()
    return [p for p in pieces(identifier) if len(p) > 2 and p.casefold() not in review]


@contextmanager
def _captured_logs() -> Iterator[list[str]]:
    """Every log record of every logger, at every level, while the block runs."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            try:
                records.append(record.getMessage())
            except Exception:  # a record that cannot format still must not break the run
                records.append(str(record.msg))

    handler = Keep(level=logging.DEBUG)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def _check(case: PrivacyCase, service: ChatService) -> CaseOutcome:
    outcome = CaseOutcome(case)
    with _captured_logs() as logs:
        started = time.perf_counter()
        redacted, _ = redact_identifiers(case.text)
        outcome.redact_ms = (time.perf_counter() - started) * 1000
        session = Session()
        turn = service.ask(session, case.text)  # Assistant.ask, as the app calls it
        result = turn.result
        chat = json.dumps(history(session), ensure_ascii=False)
        data = record(session)
        exports = {"export JSON": json_text(data), "export Markdown": markdown_text(data)}
    outcome.answer = None if result.refused else result.answer
    questions = {"redacted question": redacted, "chat question": turn.question}
    if result.question:
        questions["result question"] = result.question
    outputs = {
        **questions,
        "result JSON": result.model_dump_json(),
        "result JSON (ASCII)": json.dumps(result.model_dump(mode="json")),
        "chat": chat,
        **exports,
        "logs": "\n".join(logs),
    }
    for identifier in case.identifiers:
        for where, text in questions.items():  # the user's own text: no piece may be left
            left = [p for p in pieces(identifier) if _present(p, text)]
            if left:
                outcome.leaks.append(f"{identifier}: {where} keeps {left}")
        own = distinctive(identifier)
        for where, text in outputs.items():
            # Beyond the question, words the review itself uses ("Dr Long" vs "long-term" in a
            # quoted passage) are no leak; the identifier's own words are.
            if (own or where in questions) and _present(identifier, text):
                outcome.leaks.append(f"{identifier}: {where} has it whole")
            left = [p for p in own if _present(p, text)]
            if left and where not in questions:
                outcome.leaks.append(f"{identifier}: {where} keeps {left}")
    for fact in case.keep:
        for where in ("redacted question", "chat question"):
            if fact not in questions[where]:
                outcome.lost.append(f"{fact}: missing from the {where}")
    return outcome


def run_bank(assistant: Assistant, cases: list[PrivacyCase] | None = None) -> PrivacyReport:
    cases = load_bank() if cases is None else cases
    started = time.perf_counter()
    redact_identifiers("warm-up: Dr Smith")  # loads the name dictionary and our recognizers
    first_call_s = time.perf_counter() - started
    started = time.perf_counter()
    redact_identifiers("warm-up: call 020 7946 0958")  # builds Presidio's analyzer
    first_digits_call_s = time.perf_counter() - started
    service = ChatService(assistant)
    outcomes = [_check(case, service) for case in cases]
    # The export scrubs answers again on the way out: it must not change what the review says.
    answered = [o for o in outcomes if o.answer is not None]
    altered = [o.case.id for o in answered if scrub(o.answer) != o.answer]
    return PrivacyReport(outcomes, len(answered), altered, first_call_s, first_digits_call_s)


def render(report: PrivacyReport, bank: Path = BANK_PATH) -> str:
    timings = sorted(o.redact_ms for o in report.outcomes)
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    redacted = report.identifiers - report.leaked
    share = redacted / report.identifiers if report.identifiers else 1.0
    lines = [
        f"PHI bank: {len(report.outcomes)} cases, {report.identifiers} identifiers, "
        f"{report.facts} clinical facts ({bank})",
        f"identifiers redacted in every output: {redacted}/{report.identifiers} ({share:.1%}) "
        "[redacted question, result JSON, chat, export JSON and Markdown, logs]",
        f"clinical facts kept: {report.facts - report.lost}/{report.facts} ({report.lost} lost)",
        f"answers changed by the export's scrub: {len(report.answers_altered)}"
        f"/{report.answers_checked}",
    ]
    kinds: Counter[str] = Counter()
    clean: Counter[str] = Counter()
    for outcome in report.outcomes:
        kinds[outcome.case.kind] += len(outcome.case.identifiers)
        leaked = {leak.split(": ")[0] for leak in outcome.leaks}
        clean[outcome.case.kind] += len(outcome.case.identifiers) - len(leaked)
    lines.append(
        "by kind: " + ", ".join(f"{k} {clean[k]}/{n}" for k, n in sorted(kinds.items()) if n)
    )
    lines.append(
        f"redaction per question (warm): p50 {statistics.median(timings):.1f} ms, "
        f"p95 {p95:.1f} ms, max {timings[-1]:.1f} ms; first call {report.first_call_s:.2f} s "
        "(loads the name dictionary), first call with a phone number "
        f"{report.first_digits_call_s:.2f} s (builds Presidio's analyzer: spaCy's tokenizer, "
        "libphonenumber)"
    )
    return "\n".join(lines)


def failures(report: PrivacyReport) -> list[str]:
    lines = []
    for outcome in report.outcomes:
        lines += [f"LEAK {outcome.case.id}: {leak}" for leak in outcome.leaks]
        lines += [f"LOST {outcome.case.id}: {lost}" for lost in outcome.lost]
    lines += [f"ALTERED answer of {case_id}" for case_id in report.answers_altered]
    return lines
