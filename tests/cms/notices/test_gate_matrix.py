"""The gate as each role meets it over HTTP: every admin door (single and bulk actions, the
editor, revert, workflow approval, the notice actions) × anonymous, a user with no group, 编辑,
审定, 异议处理 and a superuser; then what the admin offers, and the shell paths.

A live decision notice or policy page is never unpublished, deleted, moved or copied by anyone;
a published notice is never re-published. Withdraw and finalise belong to 审定 (and superusers),
a correction to whoever may edit. A never-published draft may be deleted by those who may edit
it and approved or published by 审定 only.

The pages are built once for the module inside a transaction rolled back at its end; each test
runs in its own savepoint, so what one case changes never reaches the next.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from wagtail.models import Page, PageLogEntry, TaskState

from cms.core.clock import travel_to
from cms.core.gate import GateError
from cms.core.models import HomePage
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from cms.policies.models import PolicyIndexPage, PolicyPage

from .conftest import CONTACT, exempted_item, rejected_item, today
from .test_guards import _form_data, _item_data

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "no_group", "editor", "approver", "objections", "superuser"]
GROUPS = {"editor": "编辑", "approver": "审定", "objections": "异议处理"}
PASSWORD = "pw-gate-matrix"


# --- the pages and users, built once ---------------------------------------------------------


def _notice(index, number, *, publish=False, started_days_ago=0) -> DecisionNoticePage:
    start = today() - datetime.timedelta(days=started_days_ago)
    notice = DecisionNoticePage(
        title=f"关于第{number}批认定结果的公示",
        slug=f"matrix-{number}",
        notice_number=f"浙科容〔2026〕矩阵{number}号",
        publicity_start=start,
        live=False,
        **CONTACT,
    )
    notice.items.add(exempted_item())
    notice.items.add(rejected_item())
    index.add_child(instance=notice)
    revision = notice.save_revision()
    if publish and started_days_ago:
        with travel_to(notice.publicity_window.opens_at + datetime.timedelta(minutes=1)):
            revision.publish()
    elif publish:
        revision.publish()
    notice.refresh_from_db()
    return notice


def _users() -> dict:
    model = get_user_model()
    users = {"no_group": model.objects.create_user("no_group", "n@example.invalid", PASSWORD)}
    for role, group in GROUPS.items():
        users[role] = model.objects.create_user(role, f"{role}@example.invalid", PASSWORD)
        users[role].groups.add(Group.objects.get(name=group))
    users["superuser"] = model.objects.create_superuser("superuser", "s@example.invalid", PASSWORD)
    return users


def _build() -> dict:
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    users = _users()
    index = NoticeIndexPage.objects.get()
    home = index.get_parent()
    other_index = home.add_child(instance=NoticeIndexPage(title="另一公示栏目", slug="other"))
    policy = PolicyPage.objects.get(slug="exemption-policy")
    other_policies = home.add_child(
        instance=PolicyIndexPage(title="另一政策栏目", slug="other-policies")
    )
    other_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="另一首页", slug="other-home")
    )

    live = _notice(index, 1, publish=True)
    published_revision = live.live_revision_id
    live.introduction = "发布后保存的草稿"
    live.save_revision()  # a later draft: reverting to the published revision is a real revert
    closed = _notice(index, 2, publish=True, started_days_ago=7)
    draft = _notice(index, 3)
    in_review = _notice(index, 4)
    in_review.get_workflow().start(in_review, users["editor"])
    live_in_review = _notice(index, 5, publish=True)
    live_in_review.get_workflow().start(live_in_review, users["editor"])
    return {
        "users": users,
        "index": index.pk,
        "other_index": other_index.pk,
        "other_home": other_home.pk,
        "policy": policy.pk,
        "policy_index": policy.get_parent().pk,
        "other_policies": other_policies.pk,
        "live": live.pk,
        "published_revision": published_revision,
        "closed": closed.pk,
        "draft": draft.pk,
        "in_review": in_review.pk,
        "live_in_review": live_in_review.pk,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def _login(client, world, role):
    if role != "anonymous":
        client.force_login(world["users"][role])


# --- what a page's state is, and how a refusal may look --------------------------------------


def snapshot(pk: int) -> dict | None:
    """Everything a refused action must leave as it was (None: the page is gone)."""
    page = Page.objects.filter(pk=pk).values(
        "live", "path", "url_path", "live_revision_id", "last_published_at", "first_published_at"
    )
    state = page.first()
    if state is None:
        return None
    notice = DecisionNoticePage.objects.filter(pk=pk).values("withdrawn_at", "finalised_at")
    state.update(notice.first() or {})
    state["copies"] = Page.objects.filter(title__startswith="副本").count()
    state["corrections"] = DecisionNoticePage.objects.filter(corrects_id=pk).count()
    return state


def assert_refused(response, role):
    """403, a redirect home with a message, or the login page for those without admin access."""
    location = response.get("Location", "")
    if role in ("anonymous", "no_group"):
        assert response.status_code == 302 and location.startswith("/admin/login/"), response
        return
    assert response.status_code == 403 or (response.status_code == 302 and location == "/admin/"), (
        response,
        location,
    )


# --- the doors -------------------------------------------------------------------------------


def _copy(client, world, pk):
    parent = Page.objects.get(pk=pk).get_parent().pk
    data = {"new_title": "副本", "new_slug": "copy-of-it", "new_parent_page": parent}
    return client.post(f"/admin/pages/{pk}/copy/", {**data, "publish_copies": "on"})


def _edit_data(pk):
    notice = DecisionNoticePage.objects.get(pk=pk)
    data = _form_data([_item_data()], notice.publicity_start)
    data.update(slug=notice.slug, notice_number=notice.notice_number, title=notice.title)
    data["action-publish"] = "1"
    return data


def _publish(client, world, pk):
    return client.post(f"/admin/pages/{pk}/edit/", _edit_data(pk))


def _revert(client, world, pk):
    """Back to the revision it went live with (a later draft exists), and publish that."""
    revision = world["published_revision"]
    return client.post(f"/admin/pages/{pk}/revisions/{revision}/revert/", _edit_data(pk))


def _approve(client, world, pk):
    task_state = TaskState.objects.get(workflow_state__object_id=str(pk), status="in_progress")
    url = f"/admin/pages/workflow/action/{pk}/approve/{task_state.pk}/"
    return client.post(url, {"comment": ""})


def _destination(world, pk):
    page = Page.objects.get(pk=pk)
    if page.specific_class is PolicyPage:
        return world["other_policies"]
    if page.specific_class is NoticeIndexPage:
        return world["other_home"]
    return world["other_index"]


def _bulk(action, data=None):
    def post(client, world, pk):
        url = f"/admin/bulk/wagtailcore/page/{action}/?id={pk}"
        if action == "move":
            return client.post(url, {"chooser": _destination(world, pk)})
        return client.post(url, data or {})

    return post


DOORS = {
    "unpublish": lambda c, w, pk: c.post(f"/admin/pages/{pk}/unpublish/"),
    "delete": lambda c, w, pk: c.post(f"/admin/pages/{pk}/delete/"),
    "move": lambda c, w, pk: c.post(f"/admin/pages/{pk}/move/{_destination(w, pk)}/confirm/"),
    "copy": _copy,
    "publish": _publish,
    "revert": _revert,
    "approve": _approve,
    "withdraw": lambda c, w, pk: c.post(f"/admin/notices/{pk}/withdraw/", {"reason": "核实。"}),
    "finalise": lambda c, w, pk: c.post(f"/admin/notices/{pk}/finalise/"),
    "correct": lambda c, w, pk: c.post(
        f"/admin/notices/{pk}/correct/", {"start_date": today().isoformat()}
    ),
    "bulk_unpublish": _bulk("unpublish", {"include_descendants": "on"}),
    "bulk_delete": _bulk("delete"),
    "bulk_move": _bulk("move"),
    "bulk_publish": _bulk("publish"),
}
#: Doors Wagtail closes at the door itself (a refusal looks like :func:`assert_refused`); the
#: others (the editor, workflow approval, bulk actions) may also answer with the form again or
#: a redirect with a message, and are judged by the page's state.
REFUSED_AT_THE_DOOR = {"unpublish", "delete", "move", "copy", "withdraw", "finalise", "correct"}


def took_effect(door: str, before: dict, after: dict | None) -> bool:
    if after is None:
        return True  # deleted
    if door in ("unpublish", "bulk_unpublish"):
        return before["live"] and not after["live"]
    if door in ("move", "bulk_move"):
        return after["path"] != before["path"] or after["url_path"] != before["url_path"]
    if door == "copy":
        return after["copies"] > before["copies"]
    if door in ("publish", "revert", "approve", "bulk_publish"):
        return after["live"] and after["live_revision_id"] != before["live_revision_id"]
    if door == "withdraw":
        return after["withdrawn_at"] is not None and before["withdrawn_at"] is None
    if door == "finalise":
        return after["finalised_at"] is not None and before["finalised_at"] is None
    if door == "correct":
        return after["corrections"] > before["corrections"]
    return False  # delete, bulk_delete: the page is still there


def run_case(client, world, role, door, page_key, allowed: set[str]):
    pk = world[page_key]
    before = snapshot(pk)
    _login(client, world, role)
    response = DOORS[door](client, world, pk)
    assert response.status_code < 500, response
    after = snapshot(pk)
    if role in allowed:
        assert took_effect(door, before, after), (role, door, response, before, after)
        return before, after
    if door in REFUSED_AT_THE_DOOR:
        assert_refused(response, role)
    elif role in ("anonymous", "no_group"):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert not took_effect(door, before, after), (role, door, response, before, after)
    assert after == before, (role, door, response)
    return before, after


# --- a live decision notice ------------------------------------------------------------------

APPROVERS = {"approver", "superuser"}
EDITORS = {"editor", "approver", "superuser"}
LIVE_NOTICE = {
    "unpublish": ("live", set()),
    "delete": ("live", set()),
    "move": ("live", set()),
    "copy": ("live", set()),
    "publish": ("live", set()),
    "revert": ("live", set()),
    "approve": ("live_in_review", set()),
    "bulk_unpublish": ("live", set()),
    "bulk_delete": ("live", set()),
    "bulk_move": ("live", set()),
    "bulk_publish": ("live", set()),
    "withdraw": ("live", APPROVERS),
    "finalise": ("closed", APPROVERS),
    "correct": ("live", EDITORS),
}


@pytest.mark.parametrize("door", list(LIVE_NOTICE))
@pytest.mark.parametrize("role", ROLES)
def test_live_notice(client, world, role, door):
    page_key, allowed = LIVE_NOTICE[door]
    before, after = run_case(client, world, role, door, page_key, allowed)
    # Even what is allowed leaves the notice live, in place, with the revision it went live with.
    assert after is not None and after["live"]
    assert after["path"] == before["path"]
    assert after["live_revision_id"] == before["live_revision_id"]


# --- a never-published draft -----------------------------------------------------------------

DRAFT_NOTICE = {
    "delete": ("draft", EDITORS),
    "bulk_delete": ("draft", EDITORS),
    "approve": ("in_review", APPROVERS),
    "publish": ("draft", APPROVERS),
    "bulk_publish": ("draft", APPROVERS),
    "copy": ("draft", set()),
}


@pytest.mark.parametrize("door", list(DRAFT_NOTICE))
@pytest.mark.parametrize("role", ROLES)
def test_draft_notice(client, world, role, door):
    page_key, allowed = DRAFT_NOTICE[door]
    run_case(client, world, role, door, page_key, allowed)


# --- a live policy page ----------------------------------------------------------------------

POLICY_DOORS = ["unpublish", "delete", "move", "bulk_unpublish", "bulk_delete", "bulk_move"]


@pytest.mark.parametrize("door", POLICY_DOORS)
@pytest.mark.parametrize("role", ROLES)
def test_live_policy(client, world, role, door):
    assert snapshot(world["policy"])["live"]
    _, after = run_case(client, world, role, door, "policy", set())
    assert after is not None and after["live"]


# --- through an ancestor ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("door", "ancestor"),
    [
        ("delete", "index"),
        ("bulk_delete", "index"),
        ("move", "index"),
        ("bulk_move", "index"),
        ("bulk_unpublish", "index"),
        ("delete", "policy_index"),
        ("bulk_delete", "policy_index"),
    ],
)
def test_a_superuser_cannot_take_them_away_through_an_ancestor(client, world, door, ancestor):
    kept = [world["live"], world["closed"], world["policy"]]
    before = [snapshot(pk) for pk in kept]
    client.force_login(world["users"]["superuser"])
    response = DOORS[door](client, world, world[ancestor])
    assert response.status_code < 500, response
    assert [snapshot(pk) for pk in kept] == before


def test_unpublishing_the_index_with_its_descendants_leaves_the_notices_live(client, world):
    client.force_login(world["users"]["superuser"])
    url = f"/admin/pages/{world['index']}/unpublish/"
    response = client.post(url, {"include_descendants": "on"})
    assert response.status_code < 500, response
    assert DecisionNoticePage.objects.get(pk=world["live"]).live
    assert DecisionNoticePage.objects.get(pk=world["closed"]).live


# --- what the admin offers -------------------------------------------------------------------


def _hidden_urls(pk: int) -> list[str]:
    return [f"/admin/pages/{pk}/{action}/" for action in ("unpublish", "delete", "move", "copy")]


@pytest.mark.parametrize("role", ROLES)
def test_the_explorer_offers_no_way_to_take_a_live_notice_away(client, world, role):
    _login(client, world, role)
    response = client.get(f"/admin/pages/{world['index']}/")
    assert response.status_code < 500
    html = response.content.decode()
    for pk in (world["live"], world["closed"]):
        for url in _hidden_urls(pk):
            assert url not in html, (role, url)
    assert f"/admin/pages/{world['draft']}/copy/" not in html
    if role not in EDITORS:
        return
    assert response.status_code == 200
    live = world["live"]
    assert (f"/admin/notices/{live}/withdraw/" in html) == (role in APPROVERS)
    assert (f"/admin/notices/{live}/correct/" in html) == (role in EDITORS)
    assert (f"/admin/notices/{world['closed']}/finalise/" in html) == (role in APPROVERS)
    assert f"/admin/pages/{world['draft']}/delete/" in html  # the listing does show actions


@pytest.mark.parametrize("role", ["editor", "approver", "superuser"])
def test_the_editor_header_offers_no_way_to_take_a_live_notice_away(client, world, role):
    _login(client, world, role)
    response = client.get(f"/admin/pages/{world['live']}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for url in _hidden_urls(world["live"]):
        assert url not in html, (role, url)
    assert f"/admin/notices/{world['live']}/correct/" in html


@pytest.mark.parametrize("role", ROLES)
def test_the_policy_listing_offers_no_way_to_take_the_policy_away(client, world, role):
    _login(client, world, role)
    response = client.get(f"/admin/pages/{world['policy_index']}/")
    assert response.status_code < 500
    html = response.content.decode()
    for url in _hidden_urls(world["policy"])[:3]:
        assert url not in html, (role, url)
    if role in EDITORS:
        assert f"/admin/pages/{world['policy']}/edit/" in html


# --- a real login ----------------------------------------------------------------------------


def test_a_real_login_withdraws_as_approver_and_is_refused_unpublishing(client, world):
    assert client.login(username="approver", password=PASSWORD)
    live = world["live"]
    assert_refused(client.post(f"/admin/pages/{live}/unpublish/"), "approver")
    response = client.post(f"/admin/notices/{live}/withdraw/", {"reason": "材料需补充核实。"})
    assert response.status_code == 302
    notice = DecisionNoticePage.objects.get(pk=live)
    assert notice.live and notice.withdrawn_at is not None


def test_a_real_login_as_editor_cannot_delete_a_live_notice(client, world):
    assert client.login(username="editor", password=PASSWORD)
    before = snapshot(world["live"])
    assert_refused(client.post(f"/admin/pages/{world['live']}/delete/"), "editor")
    assert snapshot(world["live"]) == before


# --- the shell -------------------------------------------------------------------------------


def _shell(page, action, world):
    """One action as typed in a shell (no user, no request)."""
    if action == "unpublish":
        return page.unpublish()
    if action == "delete":
        return page.delete()
    if action == "move":
        return page.move(Page.objects.get(pk=_destination(world, page.pk)), pos="last-child")
    attrs = {"title": "副本", "slug": "copy-of-it"}
    if page.specific_class is DecisionNoticePage:
        attrs["notice_number"] = "副本-1"
    if action == "copy":
        return page.copy(update_attrs=attrs)
    if action == "copy_as_draft":
        return page.copy(update_attrs=attrs, keep_live=False)
    raise AssertionError(action)


def assert_refused_before_writing(pk: int, before: dict):
    """A shell runs in autocommit: whatever was written before the refusal would stay. So the
    refusal must come first: not inside a transaction Django then rolls back (the test's own
    transaction would be spoiled), and with no log entry of a deletion that did not happen."""
    assert not transaction.get_connection().needs_rollback, "refused only after writing"
    assert snapshot(pk) == before
    assert not PageLogEntry.objects.filter(page_id=pk, action="wagtail.delete").exists()


# (page, action): the live and the closed notice against every door, the policy against those
# that could take it away (a policy may be copied).
SHELL_CASES = [
    *[(key, action) for key in ("live", "closed")
      for action in ("unpublish", "delete", "move", "copy", "copy_as_draft")],
    *[("policy", action) for action in ("unpublish", "delete", "move")],
]  # fmt: skip


@pytest.mark.parametrize("specific", [True, False], ids=["specific", "base_page"])
@pytest.mark.parametrize(("page_key", "action"), SHELL_CASES)
def test_the_shell_cannot_take_a_live_notice_or_policy_away(world, page_key, action, specific):
    pk = world[page_key]
    before = snapshot(pk)
    page = Page.objects.get(pk=pk)
    with pytest.raises(GateError):
        _shell(page.specific if specific else page, action, world)
    assert_refused_before_writing(pk, before)


@pytest.mark.parametrize("specific", [True, False], ids=["specific", "base_page"])
@pytest.mark.parametrize("action", ["delete", "move"])
def test_the_shell_cannot_take_a_live_notice_away_with_its_index(world, action, specific):
    """The index holds a draft before the live notices: nothing of it is deleted or logged."""
    index = Page.objects.get(pk=world["other_index"])
    draft = _notice(index, 90)
    live = _notice(index, 91, publish=True)
    before = {pk: snapshot(pk) for pk in (draft.pk, live.pk, world["live"])}
    with pytest.raises(GateError):
        _shell(index.specific if specific else index, action, world)
    for pk, state in before.items():
        assert_refused_before_writing(pk, state)


@pytest.mark.parametrize("specific", [True, False], ids=["specific", "base_page"])
def test_the_shell_may_delete_a_draft_but_never_copy_it(world, specific):
    page = Page.objects.get(pk=world["draft"])
    page = page.specific if specific else page
    before = snapshot(world["draft"])
    with pytest.raises(GateError):
        _shell(page, "copy_as_draft", world)
    assert_refused_before_writing(world["draft"], before)
    page.delete()
    assert not Page.objects.filter(pk=world["draft"]).exists()
