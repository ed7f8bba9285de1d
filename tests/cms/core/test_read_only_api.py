"""``/api/v3/`` is read-only and anonymous: no write route of Wagtail's API v3 answers anything
but 404 or 405, for any user, with a real API token or a real session, and neither reveals more
than an anonymous request; the reads the portal needs still work."""

import json
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from wagtail.api.v3.auth import BearerTokenAuth
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import APIToken, Page, Revision, Site

from cms.policies.models import PolicyPage
from cms.urls import wagtail_api_v3 as wagtail_api  # with the project's routers added

from ..notices.conftest import make_notice, notice_index  # noqa: F401

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ROLES = {"no_group": None, "editor": "编辑", "approver": "审定", "objections": "异议处理"}
USERS = ("anonymous", *ROLES, "superuser")
NOTICE_TYPE = "notices.DecisionNoticePage"

# The write routes Wagtail's API v3 is known to define (``{param}`` as in its OpenAPI document).
PAGE_ACTIONS = ("publish", "unpublish", "copy", "move", "revert", "convert_alias",
                "create_alias", "copy_for_translation")  # fmt: skip
SNIPPET_ACTIONS = ("publish", "unpublish", "revert", "copy_for_translation")
KNOWN_WRITES = {
    ("POST", "/pages/"), ("PATCH", "/pages/{page_id}/"), ("DELETE", "/pages/{page_id}/"),
    ("DELETE", "/pages/{page_id}/actions/delete/"),
    *(("POST", f"/pages/{{page_id}}/actions/{action}/") for action in PAGE_ACTIONS),
    ("POST", "/documents/"), ("PATCH", "/documents/{document_id}/"),
    ("DELETE", "/documents/{document_id}/"),
    ("POST", "/images/"), ("PATCH", "/images/{image_id}/"), ("DELETE", "/images/{image_id}/"),
    ("POST", "/snippets/{type}/"), ("PATCH", "/snippets/{type}/{pk}/"),
    ("DELETE", "/snippets/{type}/{pk}/"), ("DELETE", "/snippets/{type}/{pk}/actions/delete/"),
    *(("POST", f"/snippets/{{type}}/{{pk}}/actions/{action}/") for action in SNIPPET_ACTIONS),
    ("POST", "/redirects/"), ("PUT", "/redirects/{redirect_id}/"),
    ("DELETE", "/redirects/{redirect_id}/"),
    ("POST", "/sites/"), ("PUT", "/sites/{site_id}/"), ("DELETE", "/sites/{site_id}/"),
}  # fmt: skip
# Mounted only when wagtail.locales is installed; asked for all the same.
LOCALE_WRITES = {("POST", "/locales/"), ("PUT", "/locales/{locale_id}/"),
                 ("DELETE", "/locales/{locale_id}/")}  # fmt: skip


def _template(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).lstrip("/")


def wagtail_write_operations() -> set[tuple[str, str]]:
    """Every (method, route) write operation Wagtail's API object defines, from its schema."""
    schema = wagtail_api.get_openapi_schema(path_prefix="")
    return {
        (method.upper(), "/" + path.lstrip("/"))
        for path, item in schema["paths"].items()
        for method in item
        if method.upper() in WRITE_METHODS
    }


def wagtail_routes() -> set[str]:
    """Every route of the API object's URL patterns, in or out of its schema."""
    return {_template(str(p.pattern)) for p in wagtail_api.urls[0]}


def all_write_requests() -> list[tuple[str, str]]:
    """Each route (the API's, the schema's, the hand list's) with every write method."""
    routes = wagtail_routes() | {route for _, route in wagtail_write_operations()}
    routes |= {route for _, route in KNOWN_WRITES | LOCALE_WRITES}
    return sorted((method, route) for route in routes for method in WRITE_METHODS)


def test_the_api_object_lists_every_known_write_route():
    found = wagtail_write_operations()
    assert found >= KNOWN_WRITES, KNOWN_WRITES - found
    if apps.is_installed("wagtail.locales"):
        assert found >= LOCALE_WRITES


def _make_user(name: str):
    users = get_user_model().objects
    if name == "superuser":
        return users.create_superuser(name, f"{name}@example.invalid", "pw")
    user = users.create_user(name, f"{name}@example.invalid", "pw")
    if ROLES[name]:
        user.groups.add(Group.objects.get(name=ROLES[name]))
    return user


def clients_for(name: str) -> dict[str, Client]:
    """A client with the user's real API token, and one logged in with a real session (CSRF
    checked, as in a browser). The anonymous one sends a made-up token."""
    if name == "anonymous":
        token = "wagtail_" + "0" * 40
        return {"token": Client(headers={"Authorization": f"Bearer {token}"}), "session": Client()}
    user = _make_user(name)
    _, token = APIToken.create_token(user=user, name="test")
    session = Client(enforce_csrf_checks=True)
    assert session.login(username=name, password="pw")
    return {"token": Client(headers={"Authorization": f"Bearer {token}"}), "session": session}


def test_the_tokens_are_real(seeded):
    user = _make_user("approver")
    _, token = APIToken.create_token(user=user, name="test")
    request = RequestFactory().get("/")
    assert BearerTokenAuth().authenticate(request, token).user == user
    assert request.user == user


def snapshot(notice) -> tuple:
    notice.refresh_from_db()
    return (
        notice.live, notice.url_path, notice.title, notice.latest_revision_id,
        notice.has_unpublished_changes, notice.alias_of_id,
        Page.objects.count(), Revision.objects.count(),
        list(Site.objects.values_list("pk", "hostname", "root_page_id")),
        list(Redirect.objects.values_list("pk", "old_path", "redirect_link")),
    )  # fmt: skip


def _path(route: str, params: dict[str, object]) -> str:
    return "/api/v3" + re.sub(r"{(\w+)}", lambda m: str(params.get(m[1], 1)), route)


@pytest.mark.parametrize("name", USERS)
def test_no_write_route_answers_with_a_token_or_a_session(name, make_notice):  # noqa: F811
    notice = make_notice(publish=True)
    redirect = Redirect.objects.create(old_path="/old", redirect_link="/new")
    params = {
        "page_id": notice.pk, "pk": notice.pk, "revision_id": notice.latest_revision_id,
        "site_id": Site.objects.get().pk, "redirect_id": redirect.pk,
        "type": NOTICE_TYPE, "type_name": NOTICE_TYPE,
    }  # fmt: skip
    body = {"meta": {"type": NOTICE_TYPE, "parent_id": notice.get_parent().pk}, "title": "改"}
    before = snapshot(notice)
    answered = {}
    for credential, client in clients_for(name).items():
        for method, route in all_write_requests():
            response = client.generic(
                method, _path(route, params), json.dumps(body), "application/json"
            )
            answered[credential, method, route] = response.status_code
    assert {key: code for key, code in answered.items() if code not in (404, 405)} == {}
    assert snapshot(notice) == before and notice.live
    assert not APIToken.objects.filter(last_used_at__isnull=False).exists()


def test_a_write_on_a_read_route_gets_the_read_only_error(client, seeded):
    response = client.post("/api/v3/pages/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert error["message"].startswith("只读接口") and "read-only" in error["message_en"]
    options = client.options("/api/v3/pages/")
    assert options.status_code == 200 and options["Allow"] == "GET, HEAD, OPTIONS"
    dropped = client.post("/api/v3/pages/1/actions/publish/")
    assert dropped.status_code == 404 and dropped.json()["error"]["code"] == "not_found"


def test_the_portals_reads_work_anonymously(client, make_notice):  # noqa: F811
    notice = make_notice(publish=True)
    listing = client.get("/api/v3/pages/", {"type": NOTICE_TYPE}).json()
    assert [item["id"] for item in listing["items"]] == [notice.pk]
    detail = client.get(f"/api/v3/pages/{notice.pk}/")
    assert detail.status_code == 200 and detail.json()["title"] == notice.title
    found = client.get("/api/v3/pages/find/", {"id": notice.pk}, follow=True)
    assert found.status_code == 200 and found.json()["id"] == notice.pk
    assert client.get("/api/v3/notices/").json()["items"][0]["id"] == notice.pk
    export = client.get("/api/v3/export/").json()
    assert export["notices"]["since"] is None and export["version"]
    assert client.get("/api/v3/eligibility/").status_code == 200
    assert client.get("/api/v3/record/").status_code == 200
    assert client.get("/api/v3/site/").status_code == 200
    assert client.head("/api/v3/pages/").status_code == 200
    assert client.get("/api/v3/docs/").status_code == 200


def test_the_openapi_document_lists_only_the_reads(client):
    schema = client.get("/api/v3/openapi.json").json()
    assert set(schema["paths"]) == {
        "/api/v3/pages/", "/api/v3/pages/find/", "/api/v3/pages/{page_id}/",
        "/api/v3/notices/", "/api/v3/export/", "/api/v3/eligibility/",
        "/api/v3/record/", "/api/v3/site/",
    }  # fmt: skip
    assert all(list(item) == ["get"] for item in schema["paths"].values())
    assert "securitySchemes" not in schema["components"]
    assert "read-only" in schema["info"]["description"].lower()
    text = client.get("/api/v3/openapi.json").content.decode()
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', text))
    assert refs <= set(schema["components"]["schemas"])


# Reads Wagtail serves to a token or a session; a credential must change none of their answers.
def _secret_reads(live, draft) -> list[str]:
    revision = live.latest_revision_id
    return [
        "/api/v3/pages/", f"/api/v3/pages/{live.pk}/?version=draft",
        f"/api/v3/pages/find/?id={live.pk}&version=draft", f"/api/v3/pages/{draft.pk}/",
        f"/api/v3/pages/{draft.pk}/?version=draft", f"/api/v3/pages/find/?id={draft.pk}",
        f"/api/v3/pages/{live.pk}/revisions/", f"/api/v3/pages/{live.pk}/revisions/{revision}/",
        "/api/v3/whoami/", "/api/v3/sites/", "/api/v3/locales/", "/api/v3/images/",
        "/api/v3/documents/", f"/api/v3/snippets/{NOTICE_TYPE}/", "/api/v3/redirects/",
        "/api/v3/schema/", f"/api/v3/schema/{NOTICE_TYPE}/",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["approver", "superuser"])
def test_a_token_or_session_reveals_no_drafts_or_revisions(name, client, make_notice):  # noqa: F811
    draft = make_notice()
    policy = PolicyPage.objects.live().get()
    live_title = policy.title
    policy.title = "未发布的修改"
    policy.save_revision()
    reads = _secret_reads(policy, draft)
    anonymous = {url: client.get(url, follow=True) for url in reads}
    assert anonymous[reads[1]].json()["title"] == live_title
    assert anonymous[reads[3]].status_code == 404
    for url in reads[6:]:
        assert anonymous[url].status_code == 404, url
    for credential, other in clients_for(name).items():
        for url in reads:
            response = other.get(url, follow=True)
            assert (response.status_code, response.content) == (
                anonymous[url].status_code,
                anonymous[url].content,
            ), (credential, url)


@pytest.mark.parametrize("site", ["a:b", "localhost:99999999999999999999999", "x:0", "h:８０"])
def test_a_site_filter_with_a_port_that_is_no_port_is_refused_not_a_server_error(client, site):
    for path in ("/api/v3/pages/", "/api/v3/pages/find/"):
        response = client.get(path, {"site": site, "html_path": "/"})
        assert response.status_code == 400, (path, response.content)
        error = response.json()["error"]
        assert error["code"] == "invalid_site" and "端口" in error["message"]


def test_a_site_filter_with_a_port_still_filters(client):
    response = client.get("/api/v3/pages/", {"site": "localhost:80"})
    assert response.status_code in (200, 404)
