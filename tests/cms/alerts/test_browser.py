# ruff: noqa: F811 (the shared browser fixtures, by name)
"""Subscribing, confirming and unsubscribing in Chromium with JavaScript off: the portal's 订阅
page (built from the live CMS) posts its form to the CMS, which answers with a page; the link in
the confirmation mail opens a page whose button confirms; the confirmed page's 退订 link opens a
page whose button unsubscribes and deletes the address. With JavaScript on, a listing's short
form is sent in place (CORS) and its answer shown on the page."""

import pytest

from cms.alerts.models import Subscription
from cms.outbox.models import OutgoingMail

from ...portal.browser import _BROWSER, _module, browser, in_browser_thread  # noqa: F401
from ..journey import TIMEOUT, built_portal, fresh_rate_limits, origin  # noqa: F401
from .conftest import LINK

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ADDRESS = "reader@browser.example.invalid"


@pytest.fixture
def journey(seeded, live_server, built_portal, settings):
    settings.CMS_BASE_URL = live_server.url  # where the mails' links lead
    return {"portal": built_portal(), "base": live_server.url}


@pytest.fixture
def page(browser):
    context = _BROWSER[0].run(browser.new_context, locale="zh-CN")
    page = _BROWSER[0].run(context.new_page)
    yield page
    _BROWSER[0].run(context.close)


@pytest.fixture
def page_without_javascript(browser):
    context = _BROWSER[0].run(browser.new_context, locale="zh-CN", java_script_enabled=False)
    page = _BROWSER[0].run(context.new_page)
    yield page
    _BROWSER[0].run(context.close)


@in_browser_thread
def _subscribe(page, portal: str) -> str:
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{portal}/subscribe/")
    page.get_by_label("电子邮箱").first.fill(ADDRESS)
    form = page.locator("#alerts-form")
    form.get_by_label("失败经验总结").check()
    form.get_by_label("每日汇总一封").check()
    form.locator("#alerts-consent").check()
    with page.expect_navigation():
        form.get_by_role("button", name="订阅").click()
    return page.locator("main").inner_text()


@in_browser_thread
def _open_and_press(page, url: str, button: str) -> tuple[str, str]:
    """Opens ``url``; presses ``button`` on the page; the page's text before and after."""
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    before = page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    return before, page.locator("main").inner_text()


@in_browser_thread
def _follow(page, link: str, button: str) -> tuple[str, str]:
    """Follows the page's link named ``link``, then presses ``button`` on the page it opens."""
    with page.expect_navigation():
        page.get_by_role("link", name=link).click()
    before = page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    return before, page.locator("main").inner_text()


def test_subscribing_confirming_and_unsubscribing_without_javascript(
    journey, page_without_javascript
):
    page = page_without_javascript
    answer = _subscribe(page, journey["portal"])
    assert "请查收确认邮件" in answer
    subscription = Subscription.objects.get()
    assert subscription.email == ADDRESS and not subscription.confirmed
    assert (subscription.topics, subscription.frequency) == (["notices", "lessons"], "daily")

    [confirmation] = OutgoingMail.objects.filter(recipient=ADDRESS)
    [match] = [m for m in LINK.finditer(confirmation.body_text) if m[2] == "confirm"]
    before, after = _open_and_press(page, match[0], "确认订阅")
    assert "确认订阅" in before and "r***@b***.invalid" in before
    assert "订阅已确认" in after
    subscription.refresh_from_db()
    assert subscription.confirmed

    before, after = _follow(page, "退订", "确认退订")
    assert "退订电子邮件提醒" in before and "每日汇总一封" in before
    assert "已退订" in after
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.filter(recipient=ADDRESS).exists()


@in_browser_thread
def _subscribe_in_place(page, portal: str) -> tuple[str, str]:
    page.set_default_timeout(TIMEOUT)
    page.goto(f"{portal}/lessons/")
    form = page.locator("#alerts-form")
    form.get_by_role("button", name="订阅").click()  # nothing filled in: said beside the fields
    page.locator("#alerts-errors").get_by_text("请填写电子邮箱。").wait_for()
    problems = page.locator("#alerts-errors").inner_text()
    page.get_by_label("电子邮箱").fill(ADDRESS)
    form.locator("#alerts-consent").check()
    form.get_by_role("button", name="订阅").click()
    page.locator("#alerts-outcome").get_by_text("请查收确认邮件").wait_for()
    assert page.url == f"{portal}/lessons/"  # no navigation: the answer is on this page
    return problems, page.locator("#alerts-outcome").inner_text()


def test_with_javascript_a_listings_short_form_subscribes_in_place(journey, page):
    problems, outcome = _subscribe_in_place(page, journey["portal"])
    assert "须阅读并同意隐私声明后方可订阅。" in problems
    assert "确认" in outcome
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.topics) == (ADDRESS, ["lessons"])
