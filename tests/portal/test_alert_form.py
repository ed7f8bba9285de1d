"""The e-mail alert forms on the portal (订阅提醒): in full on 订阅, short on the listings with
their topics ticked, posting to the CMS's alert API the build knows, and working with
JavaScript off: the CMS answers with a page and a confirmation mail goes out."""

import re
from pathlib import Path

import pytest
import requests
from django.core.cache import cache

from cms.alerts.models import Subscription
from cms.alerts.rules import Frequency, Topic

from .test_objection_form import BROWSER_ACCEPT, _fill, _form, _text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROOT = Path(__file__).resolve().parents[2]
CMS_PUBLIC_URL = "http://cms.test.invalid"  # where conftest's demo build says the CMS is
ACTION = f"{CMS_PUBLIC_URL}/api/alerts/subscriptions/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _choices(form: dict, name: str) -> dict[str, bool]:
    """Each checkbox or radio of ``name``: its value, and whether it is ticked."""
    return {
        control["value"]: "checked" in control
        for control in form["controls"]
        if control.get("name") == name
    }


def test_the_template_offers_what_the_api_takes():
    template = (ROOT / "themes/publicity/templates/_alerts.html").read_text(encoding="utf-8")
    topics = re.findall(r'\("(\w+)", "([^"]+)"\)', template.split("ALERT_FREQUENCIES")[0])
    assert topics == [(topic.value, topic.label) for topic in Topic]
    frequencies = re.search(r"ALERT_FREQUENCIES = (\[.*?\])", template).group(1)
    assert re.findall(r'\("(\w+)", "([^"]+)"\)', frequencies) == [
        (frequency.value, frequency.label) for frequency in Frequency
    ]


def test_the_subscribe_page_has_the_full_form_and_each_listing_a_short_one(site):
    form = _form(site.output / "subscribe/index.html", "alerts-form")
    assert (form["attrs"]["method"], form["attrs"]["action"]) == ("post", ACTION)
    assert _choices(form, "topics") == {
        "notices": True, "exemptions": False, "rejections": False, "policies": False,
        "lessons": False,
    }  # fmt: skip
    assert _choices(form, "frequency") == {"immediate": True, "daily": False}
    names = {control.get("name") for control in form["controls"]}
    assert {"email", "topics", "frequency", "consent", "website"} <= names
    for path, topics in {
        "notices/index.html": {"notices": True},
        "notices/closed/index.html": {"exemptions": True, "rejections": True},
        "results/index.html": {"exemptions": True, "rejections": True},
        "lessons/index.html": {"lessons": True},
    }.items():
        short = _form(site.output / path, "alerts-form")
        assert short["attrs"]["action"] == ACTION, path
        assert _choices(short, "topics") == topics, path
        assert "theme/js/alerts.js" in (site.output / path).read_text(encoding="utf-8"), path


def test_without_javascript_a_person_subscribes(site, live_server):
    form = _form(site.output / "subscribe/index.html", "alerts-form")
    fields, _uploads = _fill(form, {"email": "reader@portal.example.invalid"}, [])
    response = requests.post(
        live_server.url + form["attrs"]["action"].removeprefix(CMS_PUBLIC_URL),
        data=fields,
        headers={"Accept": BROWSER_ACCEPT},
        timeout=30,
    )
    assert response.status_code == 202, response.text[:2000]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "请查收确认邮件" in _text(response.text)
    subscription = Subscription.objects.get()
    assert subscription.email == "reader@portal.example.invalid" and not subscription.confirmed
    assert subscription.topics == [topic.value for topic in Topic]  # the person ticked every box
