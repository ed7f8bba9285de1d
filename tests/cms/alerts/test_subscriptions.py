"""Subscribing (double opt-in), confirming, managing and unsubscribing, through the API and the
pages its links open, with mail through a real SMTP server: the confirmation is the only mail
before the link is followed; the link expires; a second subscription of an address is
indistinguishable from the first; one-click unsubscribe (RFC 8058) and the plain link both
delete the address; addresses never reach a log or the read API."""

import datetime
import logging

import pytest
from django.test import TestCase
from django.utils import timezone

from cms.alerts import services, tokens
from cms.alerts.models import Subscription
from cms.core.clock import travel_to
from cms.outbox.models import OutgoingMail

from .conftest import ADDRESS, SUBSCRIBE_URL, confirmed, links, subscribe

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml"}


def ours(caplog) -> str:
    """What the platform logged (not the test's SMTP server, which logs its dialogue)."""
    return "\n".join(
        f"{r.getMessage()} {vars(r)!r}" for r in caplog.records if not r.name.startswith("mail.")
    )


# --- double opt-in -----------------------------------------------------------------------------


def test_subscribing_sends_only_a_confirmation(api, mailbox):
    response = subscribe(api, topics=["notices", "lessons"], frequency="daily")
    assert response.status_code == 202
    assert response.json()["status"] == "confirmation_sent"
    [message] = mailbox.messages
    assert message["To"] == ADDRESS
    assert message["Subject"].strip() == "请确认订阅科技创新容错免责公示平台的电子邮件提醒"
    body = message.get_content()
    assert "新发布的公示公告、失败经验总结" in body
    assert "每日汇总一封（每天08:00，北京时间）" in body
    assert "确认之前，我们不会向您发送任何提醒" in body
    assert set(links(message)) == {"confirm"}  # nothing else until confirmed
    subscription = Subscription.objects.get()
    assert subscription.email == ADDRESS and not subscription.confirmed
    assert subscription.topics == ["notices", "lessons"]


def test_the_link_shows_a_button_and_only_the_post_confirms(api, mailbox):
    subscribe(api)
    confirm = links(mailbox.messages[0])["confirm"]
    page = api.get(confirm, **HTML)
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    assert '<form method="post" action="">' in html and "确认订阅</button>" in html
    assert "r***@e***.invalid" in html and ADDRESS not in html
    assert not Subscription.objects.get().confirmed  # opening the link (a scanner) is not enough

    done = api.post(confirm, **HTML)
    assert done.status_code == 200 and "订阅已确认" in done.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.confirmed
    html = done.content.decode()
    assert f"/api/alerts/manage/{tokens.make(subscription.public_id, 'manage')}/" in html
    assert f"/api/alerts/unsubscribe/{tokens.make(subscription.public_id, 'unsubscribe')}/" in html
    again = api.post(confirm, HTTP_ACCEPT="application/json")
    assert again.status_code == 200 and again.json()["status"] == "confirmed"


def test_the_confirmation_link_expires_and_the_subscription_is_deleted(api, mailbox, settings):
    settings.ALERTS_CONFIRM_DAYS = 3
    subscribe(api)
    confirm = links(mailbox.messages[0])["confirm"]
    sent = Subscription.objects.get().confirmation_sent_at
    with travel_to(sent + datetime.timedelta(days=3, seconds=-1)):
        assert api.get(confirm).json()["status"] == "pending"
        assert services.sweep() == []
    with travel_to(sent + datetime.timedelta(days=3)):
        expired = api.post(confirm)
        assert expired.status_code == 410 and expired.json()["error"]["code"] == "link_expired"
        assert services.sweep() == ["unconfirmed alert subscriptions deleted: 1"]
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.exists()  # the confirmation went with its address
    assert api.post(confirm).status_code == 410


def test_a_second_subscription_of_an_address_cannot_be_told_from_the_first(api, mailbox):
    first = subscribe(api, topics=["notices"])
    pending_again = subscribe(api, email=" Reader@Example.invalid ", topics=["lessons"])
    assert len(mailbox.envelopes) == 1  # one confirmation an hour, however often it is asked
    confirm = links(mailbox.messages[0])["confirm"]
    assert api.post(confirm).status_code == 200
    confirmed_again = subscribe(api, topics=["policies"])
    for response in (pending_again, confirmed_again):
        assert (response.status_code, response.content) == (first.status_code, first.content)
    assert Subscription.objects.count() == 1
    subscription = Subscription.objects.get()
    assert subscription.topics == ["lessons"]  # the latest request before confirming
    # The mailbox (and only it) learns that it was subscribed already, with its links.
    note = mailbox.messages[-1]
    assert note["Subject"].strip() == "您已订阅科技创新容错免责公示平台的电子邮件提醒"
    assert set(links(note)) == {"manage", "unsubscribe"}
    assert note["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    subscribe(api, topics=["policies"])
    assert len(mailbox.envelopes) == 2  # one such note a day


def test_a_new_hour_sends_a_new_confirmation_for_an_unconfirmed_address(api, mailbox):
    subscribe(api)
    later = timezone.now() + datetime.timedelta(hours=1)
    with travel_to(later), TestCase.captureOnCommitCallbacks(execute=True):
        services.subscribe(ADDRESS, ["notices"], "immediate")
    assert len(mailbox.envelopes) == 2
    assert Subscription.objects.get().confirmation_sent_at == later


# --- the form's answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"topics": []}, "topics_required", "topics"),
        ({"topics": "notices"}, "not_a_list", "topics"),
        ({"topics": ["weather"]}, "invalid_choice", "topics"),
        ({"frequency": "hourly"}, "invalid_choice", "frequency"),
        ({"consent": False}, "consent_required", "consent"),
        ({"email": "not-an-address"}, "invalid", "email"),
        ({"email": "reader\u200b@example.invalid"}, "forbidden_characters", "email"),
    ],
)
def test_what_is_wrong_is_said_in_chinese_and_english(api, mailbox, change, code, field):
    response = subscribe(api, **change)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    [detail] = [d for d in error["details"] if d["field"] == field]
    assert detail["code"] == code and detail["message"] and detail["message_en"]
    assert not Subscription.objects.exists() and mailbox.envelopes == []


def test_the_robots_trap_field_refuses_the_request(api, mailbox):
    response = subscribe(api, website="http://spam.example.invalid")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "rejected_automated"
    assert not Subscription.objects.exists()


def test_a_form_posted_without_javascript_gets_a_page(api, mailbox):
    form = {"email": ADDRESS, "topics": ["notices", "exemptions"], "frequency": "immediate",
            "consent": "true", "website": ""}  # fmt: skip
    page = api.post(SUBSCRIBE_URL, form, format="multipart", **HTML)
    assert page.status_code == 202 and "请查收确认邮件" in page.content.decode()
    assert Subscription.objects.get().topics == ["notices", "exemptions"]
    wrong = api.post(SUBSCRIBE_URL, {**form, "email": "x"}, format="multipart", **HTML)
    html = wrong.content.decode()
    assert wrong.status_code == 400 and "未能订阅" in html and "电子邮箱" in html


def test_the_portal_may_post_from_its_own_origin(api, settings):
    preflight = api.options(
        SUBSCRIBE_URL,
        HTTP_ORIGIN=settings.PORTAL_BASE_URL,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,idempotency-key",
    )
    assert preflight["Access-Control-Allow-Origin"] == settings.PORTAL_BASE_URL


# --- managing and unsubscribing ----------------------------------------------------------------


def test_the_manage_link_changes_topics_and_frequency_without_an_account(api, mailbox):
    subscription = confirmed(api, mailbox)
    manage = f"/api/alerts/manage/{tokens.make(subscription.public_id, 'manage')}/"
    page = api.get(manage, **HTML).content.decode()
    assert 'name="topics" value="notices" checked' in page
    assert 'name="frequency" value="immediate" checked' in page
    changed = api.post(manage, {"topics": ["rejections", "policies"], "frequency": "daily"},
                       format="multipart", **HTML)  # fmt: skip
    assert changed.status_code == 200 and "订阅已更改" in changed.content.decode()
    subscription.refresh_from_db()
    assert (subscription.topics, subscription.frequency) == (["rejections", "policies"], "daily")
    refused = api.post(manage, {"topics": [], "frequency": "daily"}, format="json")
    assert refused.json()["error"]["details"][0]["code"] == "topics_required"


def test_one_click_unsubscribe_deletes_the_address_and_its_mail(api, mailbox):
    subscription = confirmed(api, mailbox)
    subscribe(api)  # a note with the links, as every alert has
    note = mailbox.messages[-1]
    header = note["List-Unsubscribe"].strip()  # folded: it is long
    assert header.startswith("<http") and header.endswith(">")
    assert links(header)["unsubscribe"] == links(note)["unsubscribe"]
    url = links(note)["unsubscribe"]
    # What a mail client sends (RFC 8058): a POST with this body, and nothing else.
    response = api.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and response.json()["status"] == "unsubscribed"
    assert not Subscription.objects.exists()
    assert not OutgoingMail.objects.filter(owner=subscription.owner).exists()
    assert api.post(url).json()["status"] == "unsubscribed"  # once more: the same answer


def test_the_plain_unsubscribe_link_asks_first_and_works_without_javascript(api, mailbox):
    subscription = confirmed(api, mailbox)
    url = f"/api/alerts/unsubscribe/{tokens.make(subscription.public_id, 'unsubscribe')}/"
    page = api.get(url, **HTML).content.decode()
    assert "退订电子邮件提醒" in page and '<form method="post" action="">' in page
    assert "<script" not in page
    assert Subscription.objects.exists()  # opening the link unsubscribes nothing
    done = api.post(url, {}, format="multipart", **HTML).content.decode()
    assert "已退订" in done and "邮箱地址已删除" in done
    assert not Subscription.objects.exists()


def test_a_link_opens_only_what_it_was_made_for(api, mailbox):
    subscription = confirmed(api, mailbox)
    confirm_token = tokens.make(subscription.public_id, "confirm")
    for url in (f"/api/alerts/unsubscribe/{confirm_token}/",
                f"/api/alerts/manage/{confirm_token}/",
                f"/api/alerts/unsubscribe/{subscription.public_id}/",
                f"/api/alerts/unsubscribe/{subscription.public_id}.forged/"):  # fmt: skip
        response = api.post(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "invalid_link"
    assert Subscription.objects.exists()


# --- personal data ------------------------------------------------------------------------------


def test_the_address_never_reaches_a_log_nor_the_read_api(api, mailbox, caplog, seeded):
    with caplog.at_level(logging.DEBUG):
        subscription = confirmed(api, mailbox)
        subscribe(api)
        manage = f"/api/alerts/manage/{tokens.make(subscription.public_id, 'manage')}/"
        api.post(manage, {"topics": ["notices"], "frequency": "daily"}, format="json")
        unsubscribe = links(mailbox.messages[-1])["unsubscribe"]
        api.post(unsubscribe)
        read_api = [api.get(url).content.decode() for url in (
            "/api/v3/pages/?limit=100", "/api/v3/notices/", "/api/schema/?format=json",
        )]  # fmt: skip
    assert "alert subscription" in ours(caplog)  # what happened is logged …
    assert ADDRESS not in ours(caplog)  # … never to whom
    assert all(ADDRESS not in text for text in read_api)


def test_the_schema_states_what_the_alert_api_enforces(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    subscribe = components["Subscribe"]["properties"]
    assert subscribe["email"]["maxLength"] == 254 and subscribe["website"]["maxLength"] == 0
    topics = components[subscribe["topics"]["items"]["$ref"].split("/")[-1]]
    assert topics["enum"] == ["notices", "exemptions", "rejections", "policies", "lessons"]
    operation = schema["paths"]["/api/alerts/subscriptions/"]["post"]
    assert {"202", "400", "413", "415", "429"} <= operation["responses"].keys()
    assert (
        "List-Unsubscribe=One-Click"
        in (schema["paths"]["/api/alerts/unsubscribe/{token}/"]["post"]["description"])
    )
