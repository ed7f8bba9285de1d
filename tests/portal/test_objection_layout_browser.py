"""The objection form under a mouse, in headless Chromium (Playwright): a field's message that
comes or goes as the field loses the focus must not move the page between the press and the
release of a click, or the click lands beside what was pressed.

The demo site is conftest's (``site``), served on 127.0.0.1; nothing is sent to the CMS (the
form is never complete). Without Chromium or Playwright the tests are skipped, except in CI.
"""

import pytest

from portal.urls import notice_url

from .browser import in_browser_thread

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CONTENT = "该项目曾发生安全事故但未按规定报告，我持有当时的现场记录和照片可以证明。"
CONTENT_ERROR = "#objection-content-error"


def _open_form(site, origin, page) -> None:
    notice = next(n for n in site.notices if n["window"]["state"] == "under_publicity")
    page.goto(f"{origin}/{notice_url(notice['meta']['slug'], notice['id'])}#objection")
    page.wait_for_load_state("load")
    assert page.locator("#objection-form").is_visible()


def _look_at_the_content_field(page) -> None:
    """Scrolled as a reader filling the form is: the content field's label at the top of the
    window, the consent box in view below it (so the click does not scroll, and the browser's
    scroll anchoring, which holds what is at the top, does not hide a move below it)."""
    page.locator('label[for="objection-content"]').evaluate(
        "label => label.scrollIntoView({block: 'start'})"
    )
    assert page.evaluate(
        "() => { const box = document.getElementById('objection-consent')"
        ".getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }"
    )


@in_browser_thread
def test_after_the_errors_one_click_on_the_consent_box_checks_it(site, origin, page):
    _open_form(site, origin, page)
    page.get_by_role("button", name="提交异议").click()
    assert "异议内容" in page.locator("#objection-errors").inner_text()
    assert page.locator(CONTENT_ERROR).is_visible()  # a line above the consent box

    page.locator("#objection-content").fill(CONTENT)
    _look_at_the_content_field(page)
    consent = page.get_by_role("checkbox", name="我已阅读")
    before = consent.bounding_box()["y"]
    consent.click()  # the content field loses the focus on the press: its message goes

    assert consent.is_checked()
    # The message goes just after the release (a task of its own), and the box moves up with it.
    page.locator(CONTENT_ERROR).wait_for(state="hidden", timeout=5_000)
    assert consent.bounding_box()["y"] < before
    assert page.locator("#objection-content").get_attribute("aria-invalid") is None


@in_browser_thread
def test_a_message_that_appears_on_leaving_a_field_does_not_steal_the_click(site, origin, page):
    _open_form(site, origin, page)
    page.locator("#objection-content").fill("太短")  # fewer characters than the form asks
    assert page.locator(CONTENT_ERROR).is_hidden()
    _look_at_the_content_field(page)
    consent = page.get_by_role("checkbox", name="我已阅读")
    consent.click()  # the content field loses the focus on the press: its message comes

    assert consent.is_checked()
    message = page.locator(CONTENT_ERROR)
    message.wait_for(state="visible", timeout=5_000)  # just after the release
    assert "至少" in message.inner_text()
    assert page.locator("#objection-content").get_attribute("aria-invalid") == "true"


@in_browser_thread
def test_by_keyboard_the_message_still_follows_the_field_at_once(site, origin, page):
    _open_form(site, origin, page)
    page.locator("#objection-content").fill("太短")
    page.keyboard.press("Tab")  # on to the evidence field
    assert page.locator(CONTENT_ERROR).is_visible()
    page.locator("#objection-content").fill(CONTENT)
    page.keyboard.press("Tab")
    assert page.locator(CONTENT_ERROR).is_hidden()
