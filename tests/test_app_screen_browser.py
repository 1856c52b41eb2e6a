"""The clinician's screen in Debian's Chromium at a laptop, a large laptop and a tablet size.

After a vignette and a follow-up, the question box, the top of the latest answer and the card's
top option are in the viewport; citations open their passage from the keyboard; an invalid panel
edit is named and marks the card; New patient during an answer leaves a clean chat and export; a
question full of markup is shown as text and makes the page request nothing; the columns stack
on a tablet with nothing wider than the screen. Screenshots go to reports/screenshots/.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_support import running_app
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parent.parent / "reports" / "screenshots"
VIEWPORTS = {"1440x900": (1440, 900), "1280x720": (1280, 720), "820x1180": (820, 1180)}
VIGNETTE = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
)
FOLLOW_UP = "and if she had a liver transplant?"
SLOW = "slowly"  # a question holding this word takes SLOW_S to answer
SLOW_S = 4.0
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


class Watch:
    """Requests that leave the machine and dialogs the page opens."""

    def __init__(self, page: Page) -> None:
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("dialog", self._dialog)

    def _request(self, request: Any) -> None:
        if not request.url.startswith(LOCAL):
            self.outside.append(request.url)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture(scope="module")
def url(fake_retriever_factory) -> Iterator[str]:
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    def factory() -> Assistant:
        assistant = Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))
        ask = assistant.ask

        def slow_ask(question: str, *args: Any, **kwargs: Any) -> Any:
            if SLOW in question:
                time.sleep(SLOW_S)
            return ask(question, *args, **kwargs)

        assistant.ask = slow_ask  # type: ignore[method-assign]
        return assistant

    with running_app(factory) as u:
        yield u


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), "Debian chromium is missing: `make test-deps` installs it"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_page(browser: Browser, url: str, size: str) -> tuple[Page, Watch]:
    width, height = VIEWPORTS[size]
    page = browser.new_page(viewport={"width": width, "height": height})
    watch = Watch(page)
    page.goto(url, wait_until="load")
    expect(page.locator("#question textarea")).to_be_enabled(timeout=30_000)
    return page, watch


def ask(page: Page, question: str, turn: int) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(f"#chat .hcc-answer.turn-{turn}")).to_be_attached(timeout=30_000)
    page.wait_for_timeout(400)  # the scroll to the answer runs on the next animation frame


def box(page: Page, selector: str) -> dict[str, float]:
    found = page.locator(selector).last.bounding_box()
    assert found is not None, f"{selector} is not rendered"
    return found


def in_view(page: Page, selector: str, whole: bool = True) -> None:
    """The element's top (and with `whole`, all of it) is inside the window."""
    height = page.viewport_size["height"] if page.viewport_size else 0
    where = box(page, selector)
    bottom = where["y"] + (where["height"] if whole else 20)
    assert where["y"] >= 0 and bottom <= height, (selector, where, height)


def latest_answer_in_view(page: Page) -> None:
    """The top of the latest answer is in the window and inside the chat's visible part."""
    in_view(page, "#chat .hcc-answer .answer-lead", whole=False)
    lead, chat = box(page, "#chat .hcc-answer .answer-lead"), box(page, "#chat")
    assert chat["y"] <= lead["y"] < chat["y"] + chat["height"] - 20, (lead, chat)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_input_answer_top_and_top_option_in_view(browser, url, size) -> None:
    page, watch = open_page(browser, url, size)
    disclaimer = box(page, "#disclaimer-box")
    assert disclaimer["y"] <= 1 and disclaimer["height"] <= 32  # one pinned line
    for turn, question in enumerate((VIGNETTE, FOLLOW_UP), start=1):
        if turn > 1:  # the clinician scrolled back up: the new answer still comes into view
            page.evaluate("document.querySelector('#chat [role=log]').scrollTop = 0")
        ask(page, question, turn)
        in_view(page, "#question textarea")
        latest_answer_in_view(page)
        in_view(page, "#card ol li")  # the top preferred option
        expect(page.locator("#chat .hcc-answer .answer-lead").last).to_contain_text("Bottom line")
        shot(page, f"consultation-{size}-turn{turn}")
    # The card and the chat agree: the card's top option is the answer's first option.
    top = page.locator("#card ol li").first.inner_text().split(" (")[0]
    expect(page.locator("#chat .hcc-answer").last).to_contain_text(top)
    # The disclaimer stays pinned when the page scrolls, and opens to the full text.
    page.mouse.wheel(0, 2000)
    page.wait_for_timeout(200)
    assert box(page, "#disclaimer-box")["y"] <= 1
    page.locator("#disclaimer-box summary").click()
    expect(page.locator("#disclaimer-box")).to_contain_text("for discussion only")
    width = page.viewport_size["width"] if page.viewport_size else 0
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide in a {width} px window"
    if size == "820x1180":  # stacked: the card column under the chat column, full width
        chat, card = box(page, "#chat-column"), box(page, "#card-column")
        assert card["y"] >= chat["y"] + chat["height"] - 1 and abs(card["x"] - chat["x"]) < 2
        assert box(page, "#question textarea")["width"] > 3 * box(page, "#ask")["width"]
    # Fonts: the app's own regular and bold faces are what the page loaded; no semi-bold face.
    faces = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded')"
        ".map(f => f.family.replaceAll('\"', '') + ' ' + f.weight)"
    )
    assert "Source Sans Pro 700" in faces and "Source Sans Pro 400" in faces, faces
    assert not [face for face in faces if face.endswith(" 600")], faces
    assert watch.outside == [] and watch.dialogs == []
    page.close()


def test_a_citation_opens_its_passage_from_mouse_and_keyboard(browser, url) -> None:
    page, _ = open_page(browser, url, "1280x720")
    ask(page, VIGNETTE, 1)
    button = page.locator("#chat .hcc-answer .answer-lead button.fn-ref").first
    button.click()
    opened = page.locator("#chat .fn-open").first
    expect(opened).to_be_visible()
    expect(opened.locator("blockquote.fn-passage").first).to_be_visible()
    expect(opened.locator("mark").first).to_be_visible()  # the cited sentence highlighted
    expect(opened.locator("p.fn-reference").first).to_contain_text("doi:")
    in_view(page, "#chat .fn-open", whole=False)
    shot(page, "citation-1280x720")
    opened.locator("button.fn-close").click()
    expect(page.locator("#chat .fn-open")).to_have_count(0)
    # The keyboard reaches the citation: Tab from the one before it, Enter opens, Escape closes.
    page.locator("#chat .hcc-answer .answer-lead").last.click(position={"x": 2, "y": 2})
    button.focus()
    assert page.evaluate("document.activeElement.classList.contains('fn-ref')")
    page.keyboard.press("Enter")
    expect(page.locator("#chat .fn-open")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator("#chat .fn-open")).to_have_count(0)
    # Tab reaches it from the chat's first control (the trash icon).
    page.locator("#chat button[aria-label='Clear']").focus()
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('fn-ref')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('fn-ref')")
    # A message's copy button copies the text shown, not the HTML behind it.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#chat button[aria-label='Copy message']").last.click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Bottom line:") and "<div" not in copied, copied[:120]
    assert "First-line options" in copied and "Lancet Oncol" in copied  # folds copied open
    assert "Tools called" not in copied
    page.close()


def choose(page: Page, key: str, value: str) -> None:
    field = page.locator(f"#profile-{key.replace('.', '-')} input").first
    field.click()
    field.fill(value)
    page.locator("ul[role='listbox'] li", has_text=value).first.click()


def test_an_invalid_panel_edit_names_the_conflict_and_marks_the_card(browser, url) -> None:
    page, _ = open_page(browser, url, "1280x720")
    ask(page, "Child-Pugh A6, ECOG 0, no varices on EGD: first-line options?", 1)
    expect(page.locator("#profile-child_pugh_score input").first).to_have_value("6")
    choose(page, "child_pugh_class", "B")
    problem = page.locator("#profile-problem")
    expect(problem).to_contain_text("Child-Pugh class B does not match Child-Pugh score 6")
    expect(problem).to_contain_text("set Child-Pugh class to A")
    pinned = page.locator("#conflict-pinned")  # in the window wherever the panel is scrolled
    expect(pinned).to_contain_text("Child-Pugh class B does not match Child-Pugh score 6")
    in_view(page, "#conflict-pinned")
    expect(page.locator("#card .card-stale")).to_be_visible()
    expect(page.locator("#card .card-stale")).to_contain_text("Out of date")
    shot(page, "panel-conflict-1280x720")
    # The next question leaves the panel as the clinician typed it, conflict still shown.
    ask(page, "What was the PD rate in LEAP-002?", 2)
    expect(page.locator("#profile-child_pugh_class input").first).to_have_value("B")
    expect(page.locator("#card .card-stale")).to_be_visible()
    choose(page, "child_pugh_score", "8")  # fixed: the card is current again
    expect(page.locator("#card .card-stale")).to_have_count(0)
    expect(problem).not_to_contain_text("does not match")
    expect(pinned).to_have_count(0)
    page.close()


def test_a_question_contradicting_a_panel_edit_is_shown_and_resolved(browser, url) -> None:
    page, _ = open_page(browser, url, "1280x720")
    ask(page, "Child-Pugh A, ECOG 0, no varices on EGD: first-line options?", 1)
    choose(page, "ecog", "1")
    expect(page.locator("#card .card-note")).to_contain_text("Updated from the profile panel")
    ask(page, "Now ECOG 2: which first-line regimen?", 2)
    conflict = page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("ECOG PS: panel 1, question 2")
    expect(page.locator("#profile-ecog input").first).to_have_value("2")  # what the answer used
    page.locator("#keep-panel").click()
    expect(conflict).to_be_hidden()
    expect(page.locator("#profile-ecog input").first).to_have_value("1")
    expect(page.locator("#card .card-note")).to_be_visible()  # ahead of the chat, and says so
    page.close()


def test_new_patient_during_a_pending_answer_leaves_a_clean_chat_and_export(browser, url) -> None:
    page, _ = open_page(browser, url, "1280x720")
    ask(page, VIGNETTE, 1)
    box_ = page.locator("#question textarea")
    box_.fill(f"Please answer {SLOW}: what was the PD rate in LEAP-002?")
    box_.press("Enter")
    expect(page.locator("#chat .hcc-answer.pending")).to_be_visible(timeout=10_000)
    page.locator("#new-patient").click()
    expect(page.locator("#chat .hcc-answer")).to_have_count(0, timeout=10_000)
    page.wait_for_timeout(SLOW_S * 1000 + 1500)  # the old answer would have landed by now
    expect(page.locator("#chat .hcc-answer")).to_have_count(0)
    expect(page.locator("#chat")).not_to_contain_text("LEAP-002")
    expect(page.locator("#card")).to_contain_text("No patient details yet")
    expect(page.locator("#profile-child_pugh_class input").first).to_have_value("unknown")
    page.locator("#export").click()
    link = page.locator("#exports a[href$='.md']").first
    expect(link).to_be_attached(timeout=10_000)
    exported = page.request.get(link.get_attribute("href") or "").text()
    assert "## Question" not in exported and "LEAP-002" not in exported
    # The chat's trash icon does the same as New patient.
    ask(page, VIGNETTE, 1)
    page.locator("#chat button[aria-label='Clear']").click()
    expect(page.locator("#chat .hcc-answer")).to_have_count(0)
    expect(page.locator("#card")).to_contain_text("No patient details yet")
    expect(page.locator("#profile-varices input").first).to_have_value("unknown")
    page.close()


HOSTILE = (
    "![x](http://192.0.2.7/md.png) <img src=x onerror=alert(1)> "
    '<img src="//192.0.2.7/h.png"> <a href="http://192.0.2.7/">link</a> '
    "<script>alert(2)</script> <iframe src=/x></iframe> **bold** Child-Pugh A: options?"
)


def test_a_question_with_markup_is_shown_as_text_and_requests_nothing(browser, url) -> None:
    page, watch = open_page(browser, url, "1280x720")
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    ask(page, HOSTILE, 1)
    page.wait_for_timeout(1000)
    shown = page.locator("#chat .user-text").last
    expect(shown).to_contain_text("<img src=x onerror=alert(1)>")
    expect(shown).to_contain_text("<script>alert(2)</script>")
    expect(shown).to_contain_text("**bold**")
    expect(shown).to_contain_text("![x](")
    for tag in ("img", "a", "script", "iframe", "strong"):
        assert shown.locator(tag).count() == 0, tag
    assert page.locator("#chat img").count() == 0
    typed = [u for u in requested if u.rstrip("/").endswith(("/x", "/h.png")) or "192.0.2" in u]
    assert typed == [], typed  # not even a request to this server
    assert watch.outside == [] and watch.dialogs == []
    shot(page, "markup-1280x720")
    page.close()


def test_the_trials_tab_reads_on_a_tablet_and_a_laptop(browser, url) -> None:
    for size in ("1280x720", "820x1180"):
        page, watch = open_page(browser, url, size)
        page.get_by_role("tab", name="Trials").click()
        table = page.locator("#table1 table.trials-table")
        expect(table).to_contain_text("IMbrave150")
        width = page.viewport_size["width"] if page.viewport_size else 0
        assert box(page, "#table1 table.trials-table")["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        expect(table.locator("td[data-label='PD rate, %']").first).to_be_visible()
        first_line = page.locator("#forest-first-line img")
        expect(first_line).to_be_visible(timeout=10_000)
        expect(page.locator("#forest-intermediate-stage img")).to_be_attached()
        scale = page.evaluate(
            "(() => { const i = document.querySelector('#forest-first-line img');"
            " return i.getBoundingClientRect().width / i.naturalWidth; })()"
        )
        assert 11 * 100 / 72 * scale >= 11, f"plot labels at {15.3 * scale:.1f} px"
        page.screenshot(path=str(SCREENSHOTS / f"trials-{size}.png"), full_page=True)
        assert watch.outside == []
        page.close()


def test_questions_open_when_the_server_is_ready(browser, fake_retriever_factory) -> None:
    from api.readiness import Readiness
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    assistant = Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))
    readiness = Readiness(assistant)  # not warmed yet: the server is loading
    with running_app(lambda: assistant, readiness=readiness) as loading_url:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(loading_url, wait_until="load")
        expect(page.locator("#status")).to_contain_text("Loading the review index")
        expect(page.locator("#question textarea")).to_be_disabled()
        expect(page.locator("#ask")).to_be_disabled()
        threading.Thread(target=readiness.warm, daemon=True).start()
        expect(page.locator("#question textarea")).to_be_enabled(timeout=30_000)
        expect(page.locator("#status")).to_be_hidden()
        page.close()
