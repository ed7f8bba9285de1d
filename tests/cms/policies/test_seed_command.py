import pytest
from django.core.management import call_command
from wagtail.models import Page, Revision, Site

from cms.core.models import HomePage
from cms.policies.models import PolicyPage, PolicyStatus


def _load(**options) -> str:
    from io import StringIO

    out = StringIO()
    call_command("load_seed_policy", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_builds_the_tree_and_points_the_site_at_home():
    _load()
    home = HomePage.objects.get()
    policy = PolicyPage.objects.get()
    assert policy.live
    assert policy.get_parent().get_parent().specific == home
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert policy.status == PolicyStatus.DRAFT_FOR_COMMENTS
    assert policy.issuing_body == "浙江省科学技术厅"
    assert not Page.objects.filter(title__startswith="Welcome").exists()


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    _load()
    counts = (Page.objects.count(), Revision.objects.count())
    body = list(PolicyPage.objects.get().body.raw_data)
    assert "未作改动" in _load()
    assert (Page.objects.count(), Revision.objects.count()) == counts
    assert list(PolicyPage.objects.get().body.raw_data) == body


@pytest.mark.django_db
def test_editor_changes_are_kept_unless_forced():
    _load()
    policy = PolicyPage.objects.get()
    policy.document_number = "浙科发〔2026〕1号"
    policy.preamble = "编辑修改过的序言"
    policy.save_revision().publish()
    assert "未覆盖" in _load()
    assert PolicyPage.objects.get().preamble == "编辑修改过的序言"
    _load(force=True)
    assert PolicyPage.objects.get().preamble.startswith("为进一步加快人才强省")
