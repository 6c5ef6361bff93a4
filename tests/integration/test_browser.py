"""What a person sees: the app in a real headless Chromium, at phone and desktop widths.

Screenshots are saved to tests/artifacts/ (gitignored) for a human to look at.
Skipped when /usr/bin/chromium is missing (install it with: apt-get install -y chromium).
Accessibility (axe-core, keyboard, screen-reader semantics, reflow) is in
test_accessibility.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.browser_helpers import (
    DESKTOP,
    PHONE,
    SECTION_42,
    ask,
    open_app,
    shot,
)

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_phone_answer_links_to_its_source(browser: Any, app_url: str) -> None:
    page = open_app(browser, app_url, PHONE)
    assert page.locator("#not-advice").inner_text().startswith("This is information")
    ask(page, SECTION_42)
    page.wait_for_selector("#sources li.source")
    cite = page.locator('#chat [data-testid="bot"] a.cite').first
    assert cite.get_attribute("href") == "#a1-source-1"
    shot(page, "phone-answer.png")
    cite.click()
    source = page.locator("#a1-source-1")
    source.wait_for()
    page.wait_for_timeout(500)
    assert source.is_visible()
    box = source.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"]  # scrolled into view
    assert "s.42" in source.inner_text()
    assert source.locator("mark").count() >= 1
    link = source.locator("a[href^='https://www.legislation.gov.uk/']").first
    assert link.get_attribute("rel") == "noopener noreferrer"
    assert link.get_attribute("target") == "_blank"
    assert source.locator(".badge").inner_text() == "Law"
    # How current the quoted words are, with where to check for later changes.
    dated = source.locator(".current-to")
    assert dated.inner_text().startswith("Text as revised to 7 March 2018")
    check = dated.locator("a").get_attribute("href") or ""
    assert check.startswith("https://www.legislation.gov.uk/ukpga/2014/6/section/42")
    answer = page.locator('#chat [data-testid="bot"]').last.inner_text()
    assert answer.count("Check for later changes") == 1
    # sendqa's plain-English note sits under the quote, in its own labelled box.
    note = source.locator(".provision-note")
    assert note.count() == 1
    label = note.locator(".provision-note-label").inner_text()
    assert label == "In plain English — sendqa's note, not the law"
    quote_box, note_box = source.locator("blockquote").bounding_box(), note.bounding_box()
    assert quote_box is not None and note_box is not None
    assert note_box["y"] >= quote_box["y"] + quote_box["height"]
    assert source.locator("blockquote .provision-note").count() == 0
    shot(page, "phone-source.png")
    shot(page, "phone-answer-full.png", full_page=True)
    # The page must not be wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    page.close()


def test_desktop_example_question(browser: Any, app_url: str) -> None:
    page = open_app(browser, app_url, DESKTOP)
    page.get_by_role("button", name="What does section 42 of the Children and Families Act").click()
    page.wait_for_selector("#sources li.source")
    assert page.locator('#chat [data-testid="bot"] a.cite').count() >= 1
    shot(page, "desktop-answer.png")
    page.close()


def test_user_text_cannot_inject_script_or_images(browser: Any, app_url: str) -> None:
    page = open_app(browser, app_url, PHONE)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    attacks = [
        "<script>window.__pwned=1</script>",
        "![x](http://127.0.0.1:9/x.png)",
        "[click](javascript:window.__pwned=3) <img src=x onerror=window.__pwned=2>",
    ]
    for text in attacks:
        ask(page, text)
    page.wait_for_timeout(1000)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    for tag in ("script", "img", "iframe"):
        found = f"#chat [data-testid='user'] {tag}, #chat [data-testid='bot'] {tag}"
        assert page.locator(found).count() == 0, tag
    assert page.locator("#chat a[href^='javascript']").count() == 0
    assert not [u for u in requests if "127.0.0.1:9/" in u or u.endswith("/x")]
    shown = page.locator('#chat [data-testid="user"]').all_inner_texts()
    assert [s.strip() for s in shown] == attacks  # shown as the plain text that was typed
    shot(page, "phone-injection.png")
    page.close()


def test_crisis_banner_sits_above_the_answer(browser: Any, app_url: str) -> None:
    page = open_app(browser, app_url, PHONE)
    ask(page, "My son said he wants to kill himself. What does section 42 say?")
    answer = page.locator('#chat [data-testid="bot"]').last
    banner = answer.locator('[role="alert"]')
    assert banner.count() == 1 and "116 123" in banner.inner_text()
    first_cite = answer.locator("a.cite").first
    assert banner.bounding_box()["y"] < first_cite.bounding_box()["y"]
    shot(page, "phone-crisis.png")
    page.close()


def test_deadlines_tab_on_a_phone(browser: Any, app_url: str) -> None:
    page = open_app(browser, app_url, PHONE)
    page.get_by_role("tab", name="Deadlines").click()
    page.get_by_label("On what date?").fill("3 March 2025")
    page.click("#deadline-button")
    table = page.locator("table.deadlines")
    table.wait_for()
    text = table.inner_text()
    assert "21 July 2025" in text and "SEND Regulations 2014, reg.13(2)" in text
    shot(page, "phone-deadlines.png", full_page=True)
    page.get_by_label("On what date?").fill("31 February 2025")
    page.click("#deadline-button")
    page.wait_for_selector("#deadline-table .form-message")
    assert "not a real date" in page.locator("#deadline-table").inner_text()
    page.close()
