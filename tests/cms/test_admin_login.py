"""The admin's door, through Wagtail's real login form with CSRF checked: the lockout after
wrong passwords (django-axes), the second factor for the groups that handle objections,
comments and approvals (django-otp, TOTP), the session's length and the password rules.

Other tests stand for a completed two-step login through tests/conftest.py
(``second_factor_done``); none of that is used here."""

import re
import time
from base64 import b32encode
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.accounts.client import client_address

pytestmark = pytest.mark.django_db

PASSWORD = "rain-on-the-river-42"
LOGIN, HOME = "/admin/login/", "/admin/"
SETUP, VERIFY = "/admin/second-factor/setup/", "/admin/second-factor/"


def make_user(username: str, *groups: str, superuser: bool = False):
    users = get_user_model().objects
    create = users.create_superuser if superuser else users.create_user
    user = create(username, f"{username}@example.invalid", PASSWORD)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def sign_in(client: Client, username: str, password: str = PASSWORD, *, remember=False, **extra):
    """Wagtail's login form as a browser fills it in: the page first (for the CSRF cookie)."""
    assert client.get(LOGIN, **extra).status_code == 200
    data = {
        "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        "username": username,
        "password": password,
        "next": HOME,
    }
    if remember:
        data["remember"] = "on"
    return client.post(LOGIN, data, **extra)


def post_code(client: Client, url: str, code: str):
    token = client.cookies["csrftoken"].value
    return client.post(url, {"csrfmiddlewaretoken": token, "code": code, "next": HOME})


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """What the phone shows (``steps_ahead`` periods later: a code is accepted only once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    accepted = {code(device, offset) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222") if c not in accepted)


def is_dashboard(response) -> bool:
    names = [template.name for template in response.templates]
    return response.status_code == 200 and "wagtailadmin/home.html" in names


def lock_out(username: str, **extra) -> None:
    client = browser()
    for _ in range(5):
        sign_in(client, username, "not-the-password", **extra)


# --- the lockout --------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_out_at_that_address():
    make_user("editor", "编辑")
    client = browser()
    for attempt in range(1, 5):
        response = sign_in(client, "editor", "not-the-password")
        assert response.status_code == 200, attempt  # the form again, with its error
    assert sign_in(client, "editor", "not-the-password").status_code == 429

    response = sign_in(client, "editor")  # the right password, too late
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂停" in page and "30 分钟内不能登录" in page
    assert "Too many failed sign-ins" in page
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_the_lockout_holds_for_that_username_and_address_only():
    make_user("editor", "编辑")
    make_user("colleague", "编辑")
    lock_out("editor", REMOTE_ADDR="10.0.0.1")
    assert sign_in(browser(), "editor", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert sign_in(browser(), "colleague", REMOTE_ADDR="10.0.0.1")["Location"] == HOME
    assert sign_in(browser(), "editor", REMOTE_ADDR="10.0.0.2")["Location"] == HOME


def test_a_forged_forwarded_for_header_buys_no_new_address():
    make_user("editor", "编辑")
    lock_out("editor", HTTP_X_FORWARDED_FOR="198.51.100.1")
    response = sign_in(browser(), "editor", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings):
    settings.NUM_PROXIES = 1
    make_user("editor", "编辑")
    lock_out("editor", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"
    assert sign_in(browser(), "editor", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    response = sign_in(browser(), "editor", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.2")
    assert response["Location"] == HOME


def test_the_client_address_is_the_one_the_nearest_trusted_proxy_saw(rf, settings):
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.NUM_PROXIES = None
    assert client_address(request) == "127.0.0.1"
    settings.NUM_PROXIES = 1
    assert client_address(request) == "203.0.113.9"
    settings.NUM_PROXIES = 2
    assert client_address(request) == "6.6.6.6"
    ipv6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::7")
    assert client_address(ipv6) == "2001:db8:1:2::"  # one lockout for the whole /64


def test_the_lockout_ends_after_the_cool_off():
    make_user("editor", "编辑")
    lock_out("editor")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert sign_in(browser(), "editor")["Location"] == HOME


def test_an_administrator_unlocks_a_username():
    make_user("editor", "编辑")
    lock_out("editor")
    call_command("axes_reset_username", "editor", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert sign_in(browser(), "editor")["Location"] == HOME


# --- the second factor ----------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["异议处理", "征求意见处理", "审定"])
def test_a_handler_sets_up_an_authenticator_at_the_first_login(group):
    user = make_user("handler", group)
    client = browser()
    assert sign_in(client, "handler")["Location"] == HOME
    assert client.get(HOME)["Location"] == f"{SETUP}?next=%2Fadmin%2F"
    assert client.get("/admin/pages/")["Location"].startswith(SETUP)

    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in html  # the QR code, inline
    uri = re.search(r"otpauth://totp/[^<\"]+", html)[0]
    secret = b32encode(device.bin_key).decode()
    assert f"secret={secret}" in uri
    shown = re.search(r"<code>([A-Z2-7 ]+)</code>", html)[1]
    assert shown.replace(" ", "") == secret  # for typing in by hand

    response = post_code(client, SETUP, wrong_code(device))
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=5)
    device.save()

    response = post_code(client, SETUP, code(device))
    assert response["Location"] == HOME
    assert is_dashboard(client.get(HOME))
    device.refresh_from_db()
    assert device.confirmed


def test_each_later_login_asks_for_a_code_and_wrong_codes_slow_down(settings):
    assert settings.OTP_TOTP_THROTTLE_FACTOR > 0  # django-otp's throttling is on
    # Here a wrong code costs a minute, more than a slow test run takes to the next request.
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = make_user("handler", "异议处理")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = browser()
    assert sign_in(client, "handler")["Location"] == HOME
    assert client.get("/admin/pages/")["Location"] == f"{VERIFY}?next=%2Fadmin%2Fpages%2F"
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no second device without a code

    response = post_code(client, VERIFY, wrong_code(device))
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    # Right after a wrong code even the right one must wait.
    response = post_code(client, VERIFY, code(device))
    assert re.search(r"错误次数过多，请 (59|60) 秒后再试", response.content.decode())
    assert client.get(HOME)["Location"].startswith(VERIFY)

    device.refresh_from_db()
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=61)
    device.save()
    accepted = code(device)
    assert post_code(client, VERIFY, accepted)["Location"] == HOME
    assert is_dashboard(client.get(HOME))
    # The same code twice is refused (a code overheard is no good afterwards).
    other = browser()
    sign_in(other, "handler")
    assert "验证码不正确" in post_code(other, VERIFY, accepted).content.decode()
    # Whoever cannot give a code may still sign out from there.
    signed_out = other.post(
        "/admin/logout/", {"csrfmiddlewaretoken": other.cookies["csrftoken"].value}
    )
    assert signed_out["Location"] == LOGIN
    assert other.get(HOME)["Location"].startswith(LOGIN)


def test_a_plain_editor_is_not_asked_for_a_code():
    make_user("editor", "编辑")
    client = browser()
    assert sign_in(client, "editor")["Location"] == HOME
    assert is_dashboard(client.get(HOME))
    assert client.get(SETUP)["Location"] == HOME


@pytest.mark.parametrize(("groups", "asked"), [((), False), (("审定",), True)])
def test_a_superuser_is_asked_only_as_a_member_of_those_groups(groups, asked):
    make_user("chief", *groups, superuser=True)
    client = browser()
    sign_in(client, "chief")
    response = client.get(HOME)
    assert (response.status_code == 302 and response["Location"].startswith(SETUP)) == asked
    assert is_dashboard(response) != asked


def test_resetting_a_lost_phone_means_setting_up_a_new_one():
    user = make_user("handler", "异议处理")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = browser()
    sign_in(client, "handler")
    post_code(client, VERIFY, code(device))
    assert is_dashboard(client.get(HOME))

    call_command("reset_second_factor", "handler", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not TOTPDevice.objects.filter(user=user).exists()
    # The session the old device verified is verified no more.
    assert client.get(HOME)["Location"].startswith(SETUP)


# --- sessions and passwords ---------------------------------------------------------------------


def test_a_remembered_session_lasts_eight_hours_from_the_last_request():
    make_user("editor", "编辑")
    client = browser()
    sign_in(client, "editor", remember=True)
    assert client.cookies["sessionid"]["max-age"] == 8 * 60 * 60
    response = client.get(HOME)  # each request renews it
    assert response.cookies["sessionid"]["max-age"] == 8 * 60 * 60


def test_a_session_not_remembered_ends_with_the_browser():
    make_user("editor", "编辑")
    client = browser()
    sign_in(client, "editor")
    assert client.cookies["sessionid"]["max-age"] == ""
    assert client.session.get_expiry_age() == 8 * 60 * 60  # and on the server after 8 hours


def test_passwords_need_twelve_characters(admin_client):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("q7Wm2xLp9Rt")  # 11
    validate_password("q7Wm2xLp9Rtz")  # 12

    data = {
        "username": "newcomer",
        "email": "newcomer@example.invalid",
        "first_name": "新",
        "last_name": "人",
        "password1": "q7Wm2xLp9Rt",
        "password2": "q7Wm2xLp9Rt",
    }
    response = admin_client.post("/admin/users/new/", data)
    assert response.status_code == 200
    assert "It must contain at least 12 characters" in response.content.decode()
    assert not get_user_model().objects.filter(username="newcomer").exists()
    admin_client.post("/admin/users/new/", data | {"password1": PASSWORD, "password2": PASSWORD})
    assert get_user_model().objects.filter(username="newcomer").exists()


def test_the_first_administrators_password_passes_the_rules(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("ensure_admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    credentials = (tmp_path / "admin-credentials.txt").read_text(encoding="utf-8")
    password = re.search(r"password: (\S+)", credentials)[1]
    assert len(password) >= 12
    admin = get_user_model().objects.get(username="admin")
    validate_password(password, admin)
    client = browser()
    assert sign_in(client, "admin", password)["Location"] == HOME
    assert is_dashboard(client.get(HOME))  # a superuser in none of the groups: no second step
