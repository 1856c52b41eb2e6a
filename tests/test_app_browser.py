"""The app in a real browser: headless Debian Chromium driven by Playwright.

Chromium is installed by CI (.ci/run); a missing browser fails the test rather than skipping it.
The screenshot is saved under reports/screenshots/ (ignored by git) as the test's artifact.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import running_app
from playwright.sync_api import Page, expect, sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.server]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = Path(__file__).resolve().parent.parent / "reports" / "screenshots"
VIGNETTE = (
    "Child-Pugh A, ECOG 0, untreated varices, hoping for resection: which first-line regimen?"
)


def field(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#profile-{key.replace('.', '-')} input").first


def test_vignette_citation_profile_and_forest_plot(fake_retriever_factory) -> None:
    from assistant.agent import Assistant
    from assistant.tools import ToolDeps

    assert Path(CHROMIUM).exists(), "Debian chromium is missing: .ci/run installs it"
    factory = lambda: Assistant(deps=ToolDeps(retriever_factory=fake_retriever_factory))  # noqa: E731
    outside: list[str] = []
    with running_app(factory) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                else None
            ),
        )
        page.goto(url, wait_until="load")
        expect(page.locator("#disclaimer")).to_contain_text("Decision support only")

        box = page.locator("#question textarea")
        box.fill(VIGNETTE)
        box.press("Enter")
        expect(page.locator("#chat details.footnote").first).to_be_attached(timeout=30_000)
        expect(page.locator("#chat .answer-lead")).to_contain_text(
            "Lenvatinib + an anti-PD-1 antibody"
        )
        expect(page.locator("#chat button.fn-ref").first).to_be_visible()

        page.locator("#chat details.answer-sources > summary").first.click()
        note = page.locator("#chat details.footnote").first
        note.locator("summary").click()
        expect(note.locator("blockquote.fn-passage").first).to_be_visible()
        expect(note.locator("mark").first).to_contain_text("lenvatinib")
        expect(note.locator("p.fn-reference").first).to_contain_text("Lancet Oncol")
        expect(note.locator("a[href^='https://doi.org/']").first).to_be_attached()

        expect(field(page, "child_pugh_class")).to_have_value("A")
        expect(field(page, "ecog")).to_have_value("0")
        expect(field(page, "varices")).to_have_value("untreated or severe")
        expect(page.locator("#card")).to_contain_text("Preferred options")
        expect(page.locator("#chat")).to_contain_text("Agent steps")

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "consultation.png"), full_page=True)

        page.get_by_role("tab", name="Trials").click()
        image = page.locator("#forest-first-line img")
        expect(image).to_be_visible(timeout=10_000)
        assert page.evaluate("document.querySelector('#forest-first-line img').naturalWidth") > 500
        expect(page.locator("#table1")).to_contain_text("IMbrave150")
        page.screenshot(path=str(SCREENSHOTS / "trials.png"), full_page=True)
        browser.close()
    assert outside == [], f"the page fetched from outside the machine: {outside[:3]}"
