"""The conversation as a record: Markdown and JSON with citations, profile and guardrails.

Patient identifiers are never written: questions are stored already redacted, and every string of
the record passes the input guardrail's identifier redaction once more on the way out (a name
typed into the profile label, a number in a follow-up), except the citations and footnotes,
which quote the review verbatim (its authors' names are not patients'). The free-text profile
label is dropped.
Files are written by ui/export_files.py (private, short-lived).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import cache
from typing import Any

from corpus.parser import read_review
from guardrails.messages import DISCLAIMER
from guardrails.phi import redact_identifiers
from ui.footnotes import Footnote
from ui.session import Session, Turn

_RESULT_FIELDS = {
    "answer", "refused", "refusal_reason", "intent", "recommended", "avoid", "citations",
    "profile", "rules_fired", "guardrails", "trace", "backend",
}  # fmt: skip
TITLE = "HCC systemic-therapy assistant: consultation record"


# The review's own words, quoted verbatim with its authors and affiliations: not patient data.
_FROM_THE_REVIEW = frozenset({"citations", "footnotes"})


_QUOTE = re.compile(r"“([^”]+)”")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~#{}])")
_LINK_OR_IMAGE = re.compile(r"(!?)\[([^\]\n]*)\]\(")


def literal_markdown(text: str) -> str:
    """Text a user typed, for a Markdown file: every Markdown and HTML character escaped, so a
    viewer shows it as typed and never renders an image, a link or a tag from it."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def safe_markdown(text: str) -> str:
    """The assistant's Markdown with raw HTML, images and inline links made inert (an answer can
    echo what the user typed); its emphasis, lists and citations stay as written."""
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return _LINK_OR_IMAGE.sub(lambda m: f"{m.group(1)}\\[{m.group(2)}\\]\\(", text)


@cache
def _review_text() -> str:
    return " ".join(read_review().split())


def _redact_unless_quoted(text: str) -> str:
    """`text` redacted, except the lines the review prints verbatim (a reference, a quote):
    they are the review's, not the patient's."""
    review = _review_text()
    quoted: list[tuple[int, int]] = []
    start = 0
    for line in text.split("\n"):
        words = " ".join(line.strip(" -*>").rstrip("…").split())
        if len(words) > 20 and words in review:
            quoted.append((start, start + len(line)))
        start += len(line) + 1
    # A quote followed by its source ("“…” — *Tables* (`table3`)") is the review's inside the marks.
    for match in _QUOTE.finditer(text):
        words = " ".join(match.group(1).strip("…").split())
        if len(words) > 20 and words in review:
            quoted.append(match.span())
    return redact_identifiers(
        text, keep=lambda span: any(a <= span.start and span.end <= b for a, b in quoted)
    )[0]


def scrub(value: Any) -> Any:
    """Every string in `value` redacted, except the review's quoted text; labels removed."""
    if isinstance(value, str):
        return _redact_unless_quoted(value)
    if isinstance(value, dict):
        return {
            k: v if k in _FROM_THE_REVIEW else scrub(v) for k, v in value.items() if k != "label"
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _footnote(note: Footnote) -> dict[str, Any]:
    return {
        "number": note.number,
        "inline": note.label,
        "trials": list(note.trials),
        "refs": list(note.refs),
        "passages": [
            {"chunk_id": p.chunk_id, "section": p.section, "text": p.text, "quotes": list(p.quotes)}
            for p in note.passages
        ],
        "references": [
            {
                "number": r.number,
                "text": r.text,
                "authors": r.authors,
                "title": r.title,
                "journal": r.journal,
                "year": r.year,
                "doi": r.doi,
            }
            for r in note.references
        ],
    }


def _turn(turn: Turn) -> dict[str, Any]:
    result = turn.result.model_dump(mode="json", include=_RESULT_FIELDS)
    return {
        "question": turn.question,
        **result,
        "footnotes": [_footnote(f) for f in turn.footnotes],
    }


def record(session: Session, now: datetime | None = None) -> dict[str, Any]:
    """The whole conversation as JSON-ready data, identifiers removed."""
    data = {
        "title": TITLE,
        "exported_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "profile": session.profile,
        "turns": [_turn(turn) for turn in session.turns],
        "disclaimer": DISCLAIMER,
    }
    scrubbed: dict[str, Any] = scrub(data)
    return scrubbed


def to_json(session: Session, now: datetime | None = None) -> str:
    return json_text(record(session, now))


def json_text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def _guardrails(checks: list[dict[str, Any]]) -> list[str]:
    return [
        f"- {'passed' if c['passed'] else 'FLAGGED'}: {c['check']}"
        + (f" ({c['detail']})" if c.get("detail") else "")
        for c in checks
    ]


def to_markdown(session: Session, now: datetime | None = None) -> str:
    return markdown_text(record(session, now))


def markdown_text(data: dict[str, Any]) -> str:
    """A record (see `record`) as Markdown."""
    lines = [f"# {data['title']}", "", f"Exported {data['exported_at']}", ""]
    profile = json.dumps(data["profile"], indent=2, ensure_ascii=False)
    lines += ["## Patient profile (no identifiers)", "", "```json", profile, "```", ""]
    for n, turn in enumerate(data["turns"], start=1):
        question = literal_markdown(turn["question"]) if turn["question"] else "(not recorded)"
        lines += [f"## Question {n}", "", question, ""]
        if turn["refused"]:
            lines += ["**Not answered.** " + safe_markdown(turn["refusal_reason"] or ""), ""]
        else:
            lines += ["### Answer", "", safe_markdown(turn["answer"]), ""]
        if turn["recommended"]:
            lines += ["Recommended: " + "; ".join(turn["recommended"]), ""]
        if turn["avoid"]:
            lines += ["Avoid:", *(f"- {a['regimen']}: {a['reason']}" for a in turn["avoid"]), ""]
        if turn["footnotes"]:
            notes = _markdown_notes(turn["footnotes"])
            lines += ["### Citations", "", notes, ""]
        if turn["rules_fired"]:
            lines += ["Rules fired: " + ", ".join(turn["rules_fired"]), ""]
        lines += ["### Guardrails", "", *_guardrails(turn["guardrails"]), ""]
    lines += ["---", "", data["disclaimer"], ""]
    return "\n".join(lines)


def _markdown_notes(notes: list[dict[str, Any]]) -> str:
    """The exported footnotes as Markdown: label, passages quoted, full references."""
    lines: list[str] = []
    for note in notes:
        lines.append(f"[{note['number']}] {note['inline']}")
        for passage in note["passages"]:
            lines.append(f"    > {' '.join(passage['text'].split())}")
            lines.append(f"    — {passage['section']} (`{passage['chunk_id']}`)")
        lines += [f"    {r['number']}. {r['text']}" for r in note["references"]]
    return "\n".join(lines)
