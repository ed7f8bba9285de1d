"""What the alert tests share: the API client that commits as a request does, a real SMTP
server, subscribing through the API, the links read back from the mails, and portal builds that
succeed or fail as the task worker runs them."""

import re
import sys

import pytest
from django.core.cache import cache
from django.test import TestCase
from rest_framework.test import APIClient

from cms.alerts.models import Subscription
from cms.core.tasks import request_portal_rebuild

from ..smtp import Mailbox, mailbox, smtp_server, smtp_settings  # noqa: F401

SUBSCRIBE_URL = "/api/alerts/subscriptions/"
ADDRESS = "reader@example.invalid"
LINK = re.compile(r"https?://[^\s/]+(/api/alerts/(confirm|manage|unsubscribe)/([^/\s]+)/)")


class CommittingAPIClient(APIClient):
    """Runs what waits for the commit (the mail's delivery) at the end of each request."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api() -> APIClient:
    return CommittingAPIClient()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def subscribe(api, email=ADDRESS, topics=("notices",), frequency="immediate", **extra):
    topics = topics if isinstance(topics, str) else list(topics)  # a string: a wrong body
    body = {"email": email, "topics": topics, "frequency": frequency, "consent": True}
    return api.post(SUBSCRIBE_URL, {**body, **extra}, format="json")


def links(message) -> dict[str, str]:
    """The alert links in a mail's text, by purpose: {'confirm': '/api/alerts/confirm/…/'}."""
    text = message.get_content() if hasattr(message, "get_content") else message
    return {match[2]: match[1] for match in LINK.finditer(text)}


def confirmed(api, box: Mailbox, email=ADDRESS, **choices) -> Subscription:
    """A subscription confirmed through its mail's link (``box``: the mailbox fixture)."""
    subscribe(api, email, **choices)
    confirm = links(box.messages[-1])["confirm"]
    assert api.post(confirm).status_code == 200
    return Subscription.objects.get(email=email)


def build(settings, succeeds: bool = True):
    """A portal build, run by the task worker (the test settings run tasks at once) with a
    command that succeeds or fails."""
    code = "pass" if succeeds else "import sys; sys.exit(1)"
    settings.PORTAL_BUILD_COMMAND = [sys.executable, "-c", code]
    with TestCase.captureOnCommitCallbacks(execute=True):
        portal_build = request_portal_rebuild("测试构建")
    portal_build.refresh_from_db()
    assert portal_build.succeeded is succeeds
    return portal_build
