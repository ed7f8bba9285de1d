"""Shared fixtures: the seed policy loaded into the test database."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user
from django.core.management import call_command
from django.test import Client, RequestFactory

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = (ROOT / "cms" / "policies" / "seed" / "exemption_policy_draft.txt").read_text(
    encoding="utf-8"
)


@pytest.fixture
def seeded(db):
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def seed_text() -> str:
    return SEED_TEXT


@pytest.fixture(autouse=True)
def second_factor_done(monkeypatch):
    """``client.force_login(user)`` and ``client.login(...)`` stand for a completed two-step
    login, so that tests about something else can act as a member of SECOND_FACTOR_GROUPS: such
    a user gets a confirmed TOTP device and a session verified by it, as django_otp.login
    leaves one. ``client.login`` also hands django-axes the request it needs. The real login
    (password form, lockout, setting up and typing codes) is tested in
    tests/cms/test_admin_login.py, through the login form and never through these two."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cms.accounts.second_factor import requires_second_factor

    def verify_session(client: Client, user) -> None:
        if requires_second_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    force_login, login = Client.force_login, Client.login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        verify_session(self, user)

    def login_verified(self, **credentials):
        credentials.setdefault("request", RequestFactory().post("/admin/login/"))
        if not login(self, **credentials):
            return False
        request = RequestFactory().get("/")
        request.session = self.session
        verify_session(self, get_user(request))
        return True

    monkeypatch.setattr(Client, "force_login", force_login_verified)
    monkeypatch.setattr(Client, "login", login_verified)


def pytest_collection_modifyitems(config, items):
    """Every test that commits for real (``transaction=True``) also restores the database as it
    found it (``serialized_rollback=True``). One that does not leaves Django's post-flush content
    types behind, and every serialized test after it fails at setup with a UNIQUE error."""
    careless = [
        item.nodeid
        for item in items
        if (marker := item.get_closest_marker("django_db")) is not None
        and marker.kwargs.get("transaction")
        and not marker.kwargs.get("serialized_rollback")
    ]
    if careless:
        raise pytest.UsageError(
            "django_db(transaction=True) needs serialized_rollback=True: " + ", ".join(careless)
        )


class RateLimitClock:
    """The instant the submissions' rate limits count at: fixed unless a test moves it."""

    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def rate_limit_clock(monkeypatch) -> RateLimitClock:
    """The rate limits count in fixed windows: at the real time, a test's requests could fall
    either side of a minute's (or a day's) end, and a limit it expects to be met would not be.
    The instant here is noon Beijing time plus 30 seconds, mid-way through every window; a
    test that needs time to pass moves it."""
    from cms.submissions.throttles import SubmissionThrottle

    clock = RateLimitClock(20_000 * 86_400 - 28_800 + 43_230.0)  # 12:00:30 in Beijing
    monkeypatch.setattr(SubmissionThrottle, "timer", clock)
    return clock
