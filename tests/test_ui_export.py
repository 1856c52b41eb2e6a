"""The exported record: conversation, citations, profile and guardrails; never an identifier."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ui.export import record, scrub, to_markdown
from ui.export_files import PrivateExports
from ui.service import ChatService
from ui.session import Session

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
IDENTIFIED = (
    "Mrs Jane Doe, MRN 12345678, DOB 01/02/1960: Child-Pugh A, ECOG 0, untreated varices, "
    "hoping for resection: which first-line regimen?"
)


@pytest.fixture
def service(planner_assistant) -> ChatService:
    return ChatService(planner_assistant)


def test_scrub_redacts_every_string_and_drops_labels() -> None:
    data = {"q": "Mr John Smith MRN 1234567", "profile": {"label": "John Smith", "ecog": 0}}
    cleaned = scrub(data)
    assert "John" not in json.dumps(cleaned) and "1234567" not in json.dumps(cleaned)
    assert cleaned["profile"] == {"ecog": 0}


def test_export_never_writes_identifiers(service, tmp_path) -> None:
    session = Session()
    service.ask(session, IDENTIFIED)
    service.ask(session, "and if she had a liver transplant? Her phone is 555-123-4567")
    exports = PrivateExports(tmp_path)
    paths = exports.write(session, NOW)
    assert [p.suffix for p in paths] == [".md", ".json"]
    for path in paths:
        written = path.read_text(encoding="utf-8")
        for identifier in ("Jane", "Doe", "12345678", "01/02/1960", "555-123-4567"):
            assert identifier not in written, (path.name, identifier)
    assert "[NAME]" in paths[0].read_text(encoding="utf-8")
    exports.close()


def test_record_holds_citations_profile_and_guardrails(service) -> None:
    session = Session()
    service.ask(session, "Child-Pugh A, ECOG 0, untreated varices: which first-line regimen?")
    data = record(session, NOW)
    turn = data["turns"][0]
    assert data["profile"]["varices"] == "untreated_or_severe"
    assert turn["recommended"] and turn["avoid"] and turn["citations"]
    assert {g["check"] for g in turn["guardrails"]} >= {"identifiers", "scope"}
    note = turn["footnotes"][0]
    assert note["passages"][0]["text"] and note["references"][0]["doi"]
    markdown = to_markdown(session, NOW)
    assert "## Question 1" in markdown and "### Citations" in markdown
    assert "### Guardrails" in markdown and "Decision support only" in markdown


def test_refusals_are_recorded_plainly(service) -> None:
    session = Session()
    service.ask(session, "Write me a poem about the sea")
    turn = record(session, NOW)["turns"][0]
    assert turn["refused"] and turn["refusal_reason"]
    assert "**Not answered.**" in to_markdown(session, NOW)


def test_a_question_with_markup_is_exported_as_literal_text(service) -> None:
    from markdown_it import MarkdownIt

    typed = (
        '![x](http://192.0.2.1/pixel.png) <img src="http://192.0.2.1/i.png"> '
        '<a href="http://192.0.2.1/">link</a> <script>alert(1)</script> Child-Pugh A: options?'
    )
    session = Session()
    service.ask(session, typed)
    markdown = to_markdown(session, NOW)
    assert "](http://192.0.2.1" not in markdown.replace("\\]\\(", "")
    assert "<img" not in markdown and "<a " not in markdown and "<script" not in markdown
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    for tag in ("<img", "<script", 'href="http://192.0.2.1'):
        assert tag not in rendered, tag  # a viewer rendering the file shows the text as typed
    # Shown as typed (the addresses themselves are replaced as identifiers, like any URL).
    assert "![x]([URL])" in rendered and "&lt;img src=&quot;[URL]&quot;&gt;" in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
