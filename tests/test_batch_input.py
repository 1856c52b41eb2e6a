"""Batch and file input never lose work: one result per line, one-line errors, no traceback."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assistant.cli_ask
from assistant.agent import Assistant
from assistant.batch import MAX_LINE_BYTES, read_batch
from assistant.cli import main
from assistant.conversations import MemoryConversations
from assistant.tools import ToolDeps
from clinical.json_input import JsonInputError, decode_json
from clinical.profile import ProfileError, load_profile, parse_profile

GOOD_QUESTIONS = (
    "What was the PD rate in LEAP-002?",
    "ORR of nivo ipi in CheckMate 9DW?",
    "Next line after atezo/bev?",
    "Child-Pugh A, ECOG 0, no varices: first line?",
    "Which regimen needs an EGD before starting?",
)

# Every kind of bad line, each with a word its one-line reason must contain.
BAD_LINES: tuple[tuple[bytes, str], ...] = (
    (b"[" * 5000, "nested too deeply"),
    (b'{"id": ' + b"9" * 4400 + b', "question": "ORR?"}', "number is too long"),
    (b'{"id": ' + b"9" * 4300 + b', "question": "ORR?"}', "id must be a string"),
    (b'{"question": ' + b"1" * 5000 + b"}", "number is too long"),
    (b"not json at all", "not valid JSON"),
    (b'{"id": "x", "question": "ORR?"', "not valid JSON"),
    (b'{"question": NaN}', "NaN is not a JSON number"),
    (b'["a", "list"]', "must be a JSON object"),
    (b'"just a string"', "must be a JSON object"),
    (b"42", "must be a JSON object"),
    (b"null", "must be a JSON object"),
    (b'{"id": ["a"], "question": "ORR?"}', "id must be a string"),
    (b'{"id": true, "question": "ORR?"}', "id must be a string"),
    (b'{"id": 1.5, "question": "ORR?"}', "id must be a string"),
    (b'{"question": 17}', "no question"),
    (b'{"question": null}', "no question"),
    (b'{"question": ["What?"]}', "no question"),
    (b'{"questoin": "typo in the key"}', "unknown key"),
    (b'{"question": "Which regimen?", "thread": {"a": 1}}', "thread must be"),
    (b'{"question": "Which regimen?", "profile": "CP-A"}', "expected a JSON object"),
    (b'{"question": "Which regimen?", "profile": {"ecog": true}}', "not true"),
    (b'{"question": "Which regimen?", "profile": {"ecog": 9}}', "ecog"),
    (b'{"question": "Which regimen?", "profile": {"ecog": ' + b"[" * 3000 + b"]" * 3000 + b"}}",
     "nested too deeply"),
    (b'{"question": "ORR?", "id": "\\udcff"}', "id must be a string"),
    (b"\xff\xfe broken bytes", "not valid UTF-8"),
    (b'{"question": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}', "longer than"),
    (b'{"id": "' + b"y" * 300 + b'", "question": "ORR?"}', "id must be a string"),
)  # fmt: skip


@pytest.fixture(autouse=True)
def fast_assistant(monkeypatch, fake_retriever_factory) -> None:
    def build(args, persist: bool = True):
        conversations = None if persist else MemoryConversations()
        return Assistant(
            deps=ToolDeps(retriever_factory=fake_retriever_factory), conversations=conversations
        )

    monkeypatch.setattr(assistant.cli_ask, "_assistant", build)


def _mixed_batch(path: Path, total: int = 200) -> tuple[dict[int, str], dict[int, str]]:
    """`total` lines: a BOM on line 1, every bad kind several times, duplicates, good lines."""
    rng = random.Random(15)
    good: dict[int, str] = {}
    bad: dict[int, str] = {}
    lines: list[bytes] = []
    used: list[str] = []
    for number in range(1, total + 1):
        kind = number % 4
        if number > 1 and kind == 0:
            raw, reason = BAD_LINES[(number // 4) % len(BAD_LINES)]
            lines.append(raw)
            bad[number] = reason
        elif number > 1 and kind == 2 and used:
            lines.append(json.dumps({"id": rng.choice(used), "question": "ORR?"}).encode())
            bad[number] = "duplicate id"
        else:
            line_id = f"q{number}"
            used.append(line_id)
            question = GOOD_QUESTIONS[number % len(GOOD_QUESTIONS)]
            lines.append(json.dumps({"id": line_id, "question": question}).encode())
            good[number] = line_id
    lines[0] = b"\xef\xbb\xbf" + lines[0]  # a UTF-8 BOM, as some editors write
    path.write_bytes(b"\n".join(lines) + b"\n")
    return good, bad


def test_a_200_line_batch_gives_200_results_with_every_good_line_answered(
    capsys, tmp_path: Path
) -> None:
    batch = tmp_path / "mixed.jsonl"
    good, bad = _mixed_batch(batch)
    assert len(good) + len(bad) == 200 and len(bad) > 90
    assert main(["ask", "--batch", str(batch)]) == 0
    out = capsys.readouterr().out
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 200
    assert len({r["id"] for r in rows}) == 200  # ids are unique in the output
    for number, row in enumerate(rows, start=1):
        if number in good:
            assert row["id"] == good[number]
            assert not row["refused"], (number, row["refusal_reason"])
            assert row["answer"] and row["citations"]
        else:
            reason = row["refusal_reason"]
            assert row["refused"] and reason.startswith(f"line {number}: ")
            assert bad[number] in reason and "\n" not in reason and len(reason) < 300


def test_blank_lines_are_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(b'\n  \n{"question": "ORR?"}\r\n\n[\n')
    lines = list(read_batch(batch))
    assert [(line.number, line.id, line.problem is None) for line in lines] == [
        (3, "3", True),
        (5, "5", False),
    ]


def test_duplicate_ids_name_the_first_line(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    batch.write_text('{"id": 7, "question": "a?"}\n{"id": "7", "question": "b?"}\n')
    first, second = read_batch(batch)
    assert first.id == "7" and first.problem is None
    assert second.id == "2" and second.problem == "duplicate id '7' (first used on line 1)"


def test_a_broken_pipe_ends_quietly(tmp_path: Path) -> None:
    batch = tmp_path / "b.jsonl"
    # Refused before any tool runs, so the process needs no search index and answers at once.
    line = '{{"id": {n}, "question": "Write me a poem about the sea"}}\n'
    batch.write_text("".join(line.format(n=n) for n in range(2000)))
    env = {**os.environ, "HCC_DATA_DIR": str(tmp_path / "data")}
    command = f"{sys.executable} -m assistant ask --batch {batch} | head -1"
    done = subprocess.run(
        ["bash", "-c", f'{command}; echo "exit=${{PIPESTATUS[0]}}" >&2'],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert json.loads(done.stdout)["id"] == "0"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "exit=141"


# --- profile files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[" * 5000, "nested too deeply"),
        (b'{"ecog": ' + b"1" * 4400 + b"}", "number is too long"),
        (b'{"ecog": true}', "ecog: expected a number, not true"),
        (b'{"child_pugh_score": false}', "child_pugh_score: expected a number, not false"),
        (b'{"tumour": {"tumour_count": true}}', "tumour.tumour_count: expected a number"),
        (b'{"afp_ng_ml": Infinity}', "Infinity is not a JSON number"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"", "not valid JSON"),
    ],
)
def test_profile_files_fail_in_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_profile_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b'\xef\xbb\xbf{"ecog": 1, "child_pugh_class": "A"}')
    assert load_profile(path).ecog == 1


@pytest.mark.parametrize("command", ["recommend", "ask"])
def test_recommend_and_ask_report_a_hostile_profile_in_one_line(
    capsys, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"[" * 5000)
    argv = [command, str(path)] if command == "recommend" else ["ask", "--profile", str(path), "?"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "nested too deeply" in err


# --- fuzzing: no exception escapes, whatever the input -----------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_profile_keys = st.sampled_from(
    ["ecog", "child_pugh_class", "child_pugh_score", "tumour", "afp_ng_ml", "prior_regimens",
     "line", "varices", "label", "low_platelets", "region"]
)  # fmt: skip
_profiles = st.dictionaries(_profile_keys | st.text(max_size=6), _json_values, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_fuzz_json_decoding_raises_only_its_own_error(raw: bytes) -> None:
    try:
        decode_json(raw.decode("utf-8", errors="replace"))
    except JsonInputError as error:
        assert "\n" not in str(error)


@settings(max_examples=200, deadline=None)
@given(_profiles | _json_values)
def test_fuzz_profile_parsing_raises_only_profile_error(data: object) -> None:
    try:
        parse_profile(data)
    except ProfileError as error:
        assert "\n" not in str(error)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200) | _profiles.map(lambda p: json.dumps(p).encode()))
def test_fuzz_profile_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.json"
    path.write_bytes(content)
    try:
        load_profile(path)
    except ProfileError as error:
        assert "\n" not in str(error)


_batch_lines = st.one_of(
    st.binary(max_size=120),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries(
        {"question": st.text(max_size=60)},
        optional={"id": _json_values, "thread": _json_values, "profile": _profiles},
    ).map(lambda v: json.dumps(v).encode()),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(_batch_lines, min_size=1, max_size=8))
def test_fuzz_batch_reader_one_verdict_per_non_blank_line(tmp_path: Path, lines: list) -> None:
    batch = tmp_path / "fuzz.jsonl"
    # Lines are joined with newlines, so a line holding a newline byte becomes several lines.
    raw = b"\n".join(line.replace(b"\r", b" ") for line in lines)
    batch.write_bytes(raw)
    expected = [n for n, line in enumerate(raw.split(b"\n"), start=1) if line.strip()]
    read = list(read_batch(batch))
    assert [line.number for line in read] == expected
    assert all(line.problem is None or "\n" not in line.problem for line in read)


@pytest.fixture(scope="module")
def planner(fake_retriever_factory) -> Assistant:
    return Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    question=st.text(max_size=200)
    | st.sampled_from(GOOD_QUESTIONS).flatmap(
        lambda q: st.text(max_size=40).map(lambda noise: q + " " + noise)
    ),
    profile=st.none() | _profiles,
    thread=st.none() | st.sampled_from(["t1", "t2"]),
)
def test_fuzz_ask_never_raises(planner: Assistant, question, profile, thread) -> None:
    """A raw dict profile too: the API accepts one, and a bad one must come back as a refusal."""
    result = planner.ask(question, thread_id=thread, profile=profile)
    assert result.refused or result.answer
    result.model_dump_json()
