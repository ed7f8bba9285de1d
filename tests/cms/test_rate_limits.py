"""Rate limits on the public APIs: whose address counts (X-Forwarded-For only behind NUM_PROXIES,
IPv6 per /64), the per-notice cap on objections, and a day's allowance a NAT can live with."""

# The objection and notice fixtures are imported below, and taken as parameters by name.
# ruff: noqa: F811

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIRequestFactory

from cms.core.clients import network_of
from cms.objections.throttles import NoticeCapThrottle, ObjectionLookupThrottle, ObjectionThrottle
from cms.settings.base import proxy_count

from .notices.conftest import make_notice, notice_index  # noqa: F401
from .objections.conftest import (  # noqa: F401
    api,
    fresh_rate_limits,
    item,
    open_notice,
    payload,
    private_evidence_dir,
)

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
STATUS_URL = "/api/objections/status/"
A_GUESS = {"receipt_number": "YY20000101-AAAAAA", "lookup_code": "AAAAAAAAAA"}


@pytest.fixture
def lookups_per_minute(monkeypatch):
    """The lookup limit at 3 a minute: cheap requests to probe whose address counts."""
    rates = {**ObjectionLookupThrottle.THROTTLE_RATES, "objection_lookup": "3/min"}
    monkeypatch.setattr(ObjectionLookupThrottle, "THROTTLE_RATES", rates)


@pytest.fixture
def proxies(settings):
    def trust(count: int | None) -> None:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}

    return trust


def _lookups(api, *headers: dict) -> list[int]:
    return [api.post(STATUS_URL, A_GUESS, format="json", **h).status_code for h in headers]


# --- whose address counts -------------------------------------------------------------------


@pytest.mark.parametrize("num_proxies", [None, 0])
def test_without_trusted_proxies_a_forged_forwarded_for_buys_no_new_allowance(
    api, lookups_per_minute, proxies, num_proxies
):
    proxies(num_proxies)
    forged = [
        {"REMOTE_ADDR": "198.51.100.9", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"} for n in range(5)
    ]
    assert _lookups(api, *forged) == [404, 404, 404, 429, 429]


def test_behind_one_proxy_the_right_most_forwarded_entry_is_the_client(
    api, lookups_per_minute, proxies
):
    proxies(1)
    # What the client wrote comes first; the proxy appends the address it saw.
    same_client = [
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": f"10.9.9.{n}, 203.0.113.7"}
        for n in range(4)
    ]
    assert _lookups(api, *same_client) == [404, 404, 404, 429]
    other_client = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7, 203.0.113.8"}
    assert _lookups(api, other_client) == [404]


def test_addresses_in_one_ipv6_64_share_an_allowance_and_another_64_has_its_own(
    api, lookups_per_minute
):
    one_network = [{"REMOTE_ADDR": f"2001:db8:aa:1:{n:x}::1"} for n in range(1, 5)]
    assert _lookups(api, *one_network) == [404, 404, 404, 429]
    assert _lookups(api, {"REMOTE_ADDR": "2001:db8:aa:2::1"}) == [404]


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("::ffff:192.0.2.10", "192.0.2.10"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::ff", "2001:db8:1:2::/64"),
        ("not an address", "not an address"),
    ],
)
def test_the_identity_is_the_ipv4_address_or_the_ipv6_64(address, counted_as):
    assert network_of(address) == counted_as


@pytest.mark.parametrize(("value", "count"), [("", None), (" ", None), ("0", 0), ("2", 2)])
def test_num_proxies_is_unset_or_a_whole_number(value, count):
    assert proxy_count(value) == count


@pytest.mark.parametrize("value", ["-1", "1.5", "one", "１"])
def test_num_proxies_refuses_anything_else(value):
    with pytest.raises(ImproperlyConfigured, match="NUM_PROXIES must be a whole number"):
        proxy_count(value)


# --- a cap per notice ------------------------------------------------------------------------


@pytest.fixture
def two_per_notice(monkeypatch):
    rates = {
        **ObjectionThrottle.THROTTLE_RATES,
        "objection_burst": "100/min",
        "objection_sustained": "100/day",
        "objection_per_notice": "2/day",
    }
    for throttle in (ObjectionThrottle, NoticeCapThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)


@pytest.fixture
def other_notice_payload(make_notice, payload):
    other = make_notice(publish=True)
    return {**payload, "item": other.items.get(project_code="ZJ2026-002").pk}


def test_a_client_at_the_cap_on_one_notice_may_still_object_to_another(
    api, payload, other_notice_payload, two_per_notice
):
    statuses = [api.post(URL, payload, format="json").status_code for _ in range(2)]
    assert statuses == [201, 201]

    refused = api.post(URL, payload, format="json")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "notice_limit_reached" and error["field"] == "item"
    assert "该公告" in error["message"] and "上限" in error["message"]
    assert "this notice" in error["message_en"]
    assert 0 < int(refused["Retry-After"]) <= 86400

    assert api.post(URL, other_notice_payload, format="json").status_code == 201
    someone_else = api.post(URL, payload, format="json", REMOTE_ADDR="192.0.2.44")
    assert someone_else.status_code == 201


def test_a_bad_body_is_a_400_not_a_500_and_not_counted(api, payload, two_per_notice):
    bad_item = api.post(URL, {**payload, "item": "第一项"}, format="json")
    assert bad_item.status_code == 400 and bad_item.json()["error"]["code"] == "invalid"
    malformed = api.generic("POST", URL, '{"item": ', content_type="application/json")
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "malformed"
    not_an_object = api.post(URL, [payload], format="json")
    assert not_an_object.status_code == 400
    statuses = [api.post(URL, payload, format="json").status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_a_browser_form_post_at_the_cap_gets_a_readable_page(client, payload, two_per_notice):
    payload["consent"] = "on"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for _ in range(2):
        client.post(URL, payload, HTTP_ACCEPT=browser)
    page = client.post(URL, payload, HTTP_ACCEPT=browser)
    assert page.status_code == 429 and page["Content-Type"].startswith("text/html")
    assert "上限" in page.content.decode() and int(page["Retry-After"]) > 0


# --- one NAT address, many people ------------------------------------------------------------


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_many_people_behind_one_address_share_more_than_thirty_a_day():
    """A campus behind one NAT address: a hundred objections spread over the day pass the
    default limits (the old 30/day refused the 31st); a burst still does not."""
    clock = Clock()

    def attempt() -> bool:
        throttle = ObjectionThrottle()
        throttle.timer = clock
        request = APIRequestFactory().post("/", REMOTE_ADDR="192.0.2.1")
        request.user = AnonymousUser()
        return throttle.allow_request(request, view=None)

    for _ in range(100):
        assert attempt()
        clock.now += 13 * 60
    assert [attempt() for _ in range(6)] == [True] * 5 + [False]
