"""What the staff journeys in Chromium share: users with their own TOTP app, the admin's login as
a user goes through it, typing into the notice form, the built portal served on its own origin,
and screenshots for ``make screenshots``."""

import functools
import http.server
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.build import build_portal

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "rain-on-the-river-42"
TIMEOUT = 30_000  # milliseconds: a slow, shared machine


@pytest.fixture
def origin(live_server) -> str:
    """The CMS itself (the browser fixtures' origin); the portal is built by ``built_portal``."""
    return live_server.url


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Each journey starts with every rate limit's allowance whole."""
    cache.clear()
    yield
    cache.clear()


def screenshooter():
    """Saves a full-page screenshot under ``STAFF_SCREENSHOTS`` when that names a directory."""
    folder = os.environ.get("STAFF_SCREENSHOTS", "")

    def shoot(page, name: str) -> None:
        if folder:
            page.wait_for_timeout(800)  # the admin's messages slide in
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return shoot


def make_user(name: str, group: str, *, second_factor: bool) -> TOTP | None:
    """A staff member; with ``second_factor``, the authenticator app they set up (the browser's
    thread may not touch the database, so the app holds the key, as a phone does)."""
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    if not second_factor:
        return None
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


def _code(app: TOTP) -> str:
    """What the user's phone shows now; on a second login within the same 30 seconds, the next
    code (the device accepts one step of drift but never a code twice, so a person would wait)."""
    app.time = time.time()
    used = getattr(app, "last_used", None)
    if used is not None and app.t() <= used:
        app.time += (used + 1 - app.t()) * app.step
    app.last_used = app.t()
    return f"{app.token():0{app.digits}d}"


def visible(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def log_in(page, base: str, username: str, device: TOTP | None) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if device is not None:
        page.wait_for_url(re.compile(r"/admin/second-factor/"))
        visible(page, "两步验证")
        page.fill("input[name=code]", _code(device))
        page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def fill_item(page, n: int, **values) -> None:
    prefix = f"#id_items-{n}-"
    for name in ("project_code", "project_name", "undertaking_unit", "project_leader"):
        if name in values:
            page.fill(prefix + name, values[name])
    for name in ("programme", "decision"):
        if name in values:
            page.select_option(prefix + name, values[name])
    for code in values.get("grounds", ()):
        page.check(f'input[name="items-{n}-grounds"][value="{code}"]')
    for code in values.get("reasons", ()):
        page.check(f'input[name="items-{n}-reasons"][value="{code}"]')
    if "explanation" in values:
        page.fill(prefix + "explanation", values["explanation"])
    for name in ("panel_size", "technical_members", "financial_members"):
        if name in values:
            page.fill(prefix + name, str(values[name]))


def footer_action(page, name: str) -> None:
    """The editor footer's menu, then the action ``name`` (``action-submit`` …) in it."""
    button = page.locator(f'button[name="{name}"]')
    if not button.is_visible():
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    button.wait_for(state="visible")
    with page.expect_navigation():
        button.click()


def approve(page, shoot=lambda page: None) -> None:
    """The approver's 批准 和发布 in the footer's workflow menu (beside 请求修改); ``shoot`` is
    called with the menu open."""
    button = page.locator(
        "footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    button.wait_for(state="visible")
    assert " ".join(button.inner_text().split()) == "批准 和发布"
    assert page.get_by_role("button", name="请求修改").is_visible()
    shoot(page)
    with page.expect_navigation():
        button.click()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def built_portal(live_server, settings, tmp_path, monkeypatch):
    """Builds the portal from the live CMS and serves it on its own origin, which the CMS's CORS
    allows, as deployed. Returns ``build()``: each call builds again (as the task worker does
    after a publication) and gives the portal's origin."""
    monkeypatch.setenv("CMS_BASE_URL", live_server.url)  # where the portal's forms post
    content = tmp_path / "portal-content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    site = tmp_path / "portal-site"
    state: dict = {}

    def build() -> str:
        output = build_portal(live_server.url, site_dir=site, content_dir=content).output
        if "server" not in state:
            handler = functools.partial(_QuietHandler, directory=str(output))
            state["server"] = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            threading.Thread(target=state["server"].serve_forever, daemon=True).start()
        state["server"].RequestHandlerClass = functools.partial(
            _QuietHandler, directory=str(output)
        )
        origin = f"http://127.0.0.1:{state['server'].server_address[1]}"
        settings.CORS_ALLOWED_ORIGINS = [origin]
        return origin

    yield build
    if "server" in state:
        state["server"].shutdown()
        state["server"].server_close()
