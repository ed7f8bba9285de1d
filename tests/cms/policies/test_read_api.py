import pytest
from django.test import override_settings

from cms.policies.models import PolicyPage


@pytest.mark.django_db
def test_anonymous_reads_the_policy_with_its_structure(seeded, client):
    listing = client.get("/api/v3/pages/", {"type": "policies.PolicyPage"}).json()
    assert listing["count"] == 1
    detail = client.get(f"/api/v3/pages/{listing['items'][0]['id']}/").json()
    assert detail["status_label"] == "征求意见稿"
    assert detail["outline"][2]["heading"] == "认定程序"
    assert detail["outline"][1]["children"][2]["children"][3]["anchor"] == "s2-3-3"


@pytest.mark.django_db
def test_draft_pages_are_not_readable_anonymously(seeded, client):
    policy = PolicyPage.objects.get()
    # A live policy is never unpublished (the gate refuses); a row that is not live stands in
    # for a draft.
    PolicyPage.objects.filter(pk=policy.pk).update(live=False)
    assert client.get("/api/v3/pages/", {"type": "policies.PolicyPage"}).json()["count"] == 0
    assert client.get(f"/api/v3/pages/{policy.pk}/").status_code == 404


@pytest.mark.django_db
@override_settings(WAGTAILAPI_BASE_URL="https://cms.example.gov.cn")
def test_absolute_urls_come_from_settings(seeded, client):
    item = client.get("/api/v3/pages/", {"type": "policies.PolicyPage"}).json()["items"][0]
    assert item["meta"]["detail_url"].startswith("https://cms.example.gov.cn/api/v3/pages/")
    assert "localhost" not in str(item)
