"""Shared by the browser tests: Debian's Chromium under Playwright, the app's pages, screenshots.

Screenshots go to tests/artifacts/ (gitignored) for a human to look at. Browser tests skip when
/usr/bin/chromium is missing (install it with: apt-get install -y chromium).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
SECTION_42 = "What does section 42 of the Children and Families Act 2014 say?"
TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for every browser test of the session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_app(browser: Any, url: str, viewport: dict[str, int], **options: Any) -> Any:
    """A new page on the app, ready for a question."""
    page = browser.new_page(viewport=viewport, **options)
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(url, wait_until="load")
    page.wait_for_selector("#question textarea")
    return page


def shot(page: Any, name: str, full_page: bool = False) -> Path:
    """Save a screenshot to tests/artifacts/ for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_for_answer(page: Any, before: int) -> None:
    """Wait until a bot message beyond the first ``before`` has finished streaming."""
    page.wait_for_function(
        """n => {
          const bots = document.querySelectorAll('#chat [data-testid="bot"]');
          return bots.length > n && !bots[bots.length - 1].innerText.includes('Looking in the law');
        }""",
        arg=before,
    )
    page.wait_for_timeout(300)


def answers_shown(page: Any) -> int:
    """How many bot messages the chat shows."""
    return int(page.locator('#chat [data-testid="bot"]').count())


def ask(page: Any, question: str) -> None:
    """Type a question, press Enter, and wait until the answer has finished streaming."""
    before = answers_shown(page)
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    wait_for_answer(page, before)
