"""The JSONL batch reader: one question per line, and one verdict per line, whatever the line holds.

A line is `{"id": ..., "question": "...", "thread": ..., "profile": {...}}` (only `question` is
required). Every non-blank line yields exactly one `BatchLine`: either a usable item or a one-line
reason it cannot be asked (not UTF-8, not JSON, nested too deeply, a number too long, wrong types,
an unknown key, a duplicate id, a line too long). Nothing a line holds stops the lines after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from clinical.json_input import BOM, JsonInputError, decode_json
from clinical.profile import PatientProfile, ProfileError, parse_profile

MAX_LINE_BYTES = 64_000  # a question is at most a few thousand characters; a profile a few hundred
MAX_ID_CHARS = 200
KEYS = ("id", "question", "thread", "profile")
_CHUNK = 1 << 16


class BatchFileError(OSError):
    """The batch file itself cannot be read (missing, a directory, no permission)."""


@dataclass(frozen=True)
class BatchLine:
    number: int  # 1-based line number in the file
    id: str  # the line's id, or its line number when it has no usable id
    question: str = ""
    thread: str | None = None
    profile: PatientProfile | None = None
    problem: str | None = None  # why the line cannot be asked; None when it can


def _raw_lines(stream: BinaryIO, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes without the newline, or None when longer than `limit`)."""
    number = 0
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # skip the rest without holding it
                line = stream.readline(_CHUNK)
            yield number, None
            continue
        yield number, line.rstrip(b"\r\n")


def _text_id(value: Any) -> str | None:
    """A usable id as text (a string or a whole number), or None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    try:
        text.encode("utf-8")  # JSON escapes can spell lone surrogates, which cannot be written
    except UnicodeEncodeError:
        return None
    return text if 0 < len(text) <= MAX_ID_CHARS else None


def _item(number: int, text: str) -> BatchLine:
    fallback = str(number)
    try:
        item = decode_json(text)
    except JsonInputError as error:
        return BatchLine(number, fallback, problem=f"the line is {error}")
    if not isinstance(item, dict):
        return BatchLine(number, fallback, problem="each line must be a JSON object")
    line_id = fallback
    if "id" in item:
        found = _text_id(item["id"])
        if found is None:
            reason = f"id must be a string or a whole number of at most {MAX_ID_CHARS} characters"
            return BatchLine(number, fallback, problem=reason)
        line_id = found
    unknown = [str(k) for k in item if k not in KEYS]
    if unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:3])
        return BatchLine(number, line_id, problem=f"unknown key {shown} (expected {KEYS})")
    question = item.get("question")
    if not isinstance(question, str):
        return BatchLine(number, line_id, problem="the line has no question (a string)")
    thread = None
    if item.get("thread") is not None:
        thread = _text_id(item["thread"])
        if thread is None:
            return BatchLine(number, line_id, problem="thread must be a string or a whole number")
    profile = None
    if item.get("profile") is not None:
        try:
            profile = parse_profile(item["profile"])
        except ProfileError as error:
            return BatchLine(number, line_id, problem=str(error))
    return BatchLine(number, line_id, question, thread, profile)


def read_batch(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[BatchLine]:
    """One `BatchLine` per non-blank line of `path`, in order; `BatchFileError` if unreadable."""
    try:
        stream = path.open("rb")
    except OSError as error:
        raise BatchFileError(f"cannot read batch file {path}: {error.strerror or error}") from None
    seen: dict[str, int] = {}
    with stream:
        for number, raw in _raw_lines(stream, max_line_bytes):
            if raw is None:
                reason = f"the line is longer than {max_line_bytes:,} bytes"
                yield BatchLine(number, str(number), problem=reason)
                continue
            if not raw.strip():  # blank: spaces, tabs, carriage returns only
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield BatchLine(number, str(number), problem="the line is not valid UTF-8")
                continue
            if number == 1:
                text = text.removeprefix(BOM)
            line = _item(number, text)
            if line.problem is None and line.id in seen:
                reason = f"duplicate id {line.id!r} (first used on line {seen[line.id]})"
                line = BatchLine(number, str(number), problem=reason)
            seen.setdefault(line.id, number)
            yield line
