import pytest

from ..notices.conftest import make_notice, notice_index  # noqa: F401


@pytest.mark.django_db
def test_admin_login_is_in_simplified_chinese(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'lang="zh-hans"' in body
    assert "登录" in body


@pytest.mark.django_db
def test_admin_shows_chinese_labels_for_our_models(seeded, admin_client):
    from cms.policies.models import PolicyPage

    page = PolicyPage.objects.get()
    body = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    for label in ("文号", "发文机关", "施行日期", "正文"):
        assert label in body


@pytest.mark.django_db
def test_health_endpoint(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_page_editors_offer_no_preview_that_could_fail(seeded, admin_client):
    """A listing is made of other pages: its editor offers no preview. A page's editor offers
    the portal's own (tests/cms/core/test_preview.py)."""
    from cms.notices.models import NoticeIndexPage
    from cms.policies.models import PolicyIndexPage

    for page in (PolicyIndexPage.objects.get(), NoticeIndexPage.objects.get()):
        body = admin_client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
        assert "/preview/" not in body


@pytest.mark.django_db
def test_dashboard_shows_the_last_portal_builds(admin_client):
    from datetime import timedelta

    from django.utils import timezone

    from cms.core.models import PortalBuild

    now = timezone.now()
    PortalBuild.objects.create(
        reason="发布：测试公告", started_at=now, finished_at=now + timedelta(seconds=2.5),
        succeeded=False,
    )  # fmt: skip
    body = admin_client.get("/admin/").content.decode()
    assert "门户构建" in body and "发布：测试公告" in body
    assert "2.5 秒" in body and "失败" in body


@pytest.mark.django_db
def test_live_pages_on_the_cms_redirect_to_the_portal(client, make_notice, settings):  # noqa: F811
    """The CMS renders no page: a page's own URL leads to its address on the portal."""
    from cms.policies.models import PolicyPage

    notice = make_notice(publish=True)
    policy = PolicyPage.objects.get()
    portal = settings.PORTAL_BASE_URL
    for url, target in (
        ("/", f"{portal}/"),
        (f"/notices/{notice.slug}/", f"{portal}/notices/{notice.slug}/"),
        (f"/policies/{policy.slug}/", f"{portal}/policies/{policy.slug}/"),
        ("/notices/", f"{portal}/notices/"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == target


@pytest.mark.parametrize(
    ("slug", "address"),
    [
        ("notice-7", "notices/notice-7/"),
        ("closed", "notices/closed-42/"),
        ("page", "notices/page-42/"),
    ],
)
def test_a_notice_leads_to_the_address_the_portal_builds(slug, address):
    """Slugs the portal keeps for its own listings get the notice's id, on both sides."""
    from cms.notices.models import DecisionNoticePage
    from portal.notices import notice_url

    assert DecisionNoticePage(slug=slug, id=42).portal_address() == address
    assert notice_url(slug, 42) == address
