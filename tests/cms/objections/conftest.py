"""An open notice to object to, a valid objection payload, and evidence files of each kind; and
the endpoint profiles that run the rules every public submission shares (objections, comments on
a draft policy) against each API: a test taking ``endpoint`` and ``submission`` runs for both."""

import datetime
import importlib
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone
from rest_framework.test import APIClient

from cms.notices.models import DecisionItem

from ...samples import PDF_BYTES  # noqa: F401 (the tests here take it from this module)
from ..notices.conftest import approver, editor, make_notice, notice_index  # noqa: F401


def staff_user(name: str, group):
    """A staff user in ``group`` (a Group)."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", "pw")
    user.groups.add(group)
    return user


@pytest.fixture
def handler(db):
    """A member of 异议处理."""
    from django.contrib.auth.models import Group

    return staff_user("handler", Group.objects.get(name="异议处理"))


class _VisibleText(HTMLParser):
    """The text a page shows: not scripts, styles, icons, templates or hidden elements."""

    SKIPPED = {"script", "style", "svg", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}  # fmt: skip

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[bool] = []  # for each open element: whether its text is hidden
        self.parts: list[str] = []

    INLINE = {"a", "abbr", "b", "code", "em", "i", "kbd", "label", "small", "span", "strong"}

    def handle_starttag(self, tag, attrs):
        if tag not in self.INLINE:
            self.parts.append(" ")  # a block, a cell, a line break: apart from what is before
        if tag not in self.VOID:
            hidden = tag in self.SKIPPED or any(name == "hidden" for name, _ in attrs)
            self.open.append(hidden or (bool(self.open) and self.open[-1]))

    def handle_endtag(self, tag):
        if tag not in self.INLINE:
            self.parts.append(" ")
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data):
        if not (self.open and self.open[-1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    """What a person sees of an HTML page, whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", "".join(parser.parts))


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def ofd_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_evidence_dir(settings, tmp_path):
    settings.OBJECTION_EVIDENCE_ROOT = tmp_path / "private"
    return settings.OBJECTION_EVIDENCE_ROOT


class CommittingAPIClient(APIClient):
    """Runs what waits for a commit (evidence files moved into place) at the end of each
    request, as the commit ending a real request would: the test's own transaction never
    commits."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api() -> APIClient:
    return CommittingAPIClient()


@pytest.fixture
def open_notice(make_notice):  # noqa: F811
    return make_notice(publish=True)


@pytest.fixture
def item(open_notice) -> DecisionItem:
    return open_notice.items.get(project_code="ZJ2026-002")


@pytest.fixture
def payload(item) -> dict:
    return {
        "item": item.pk,
        "objector_type": "individual",
        "real_name": "赵异议",
        "organisation": "",
        "phone": "13800138000",
        "email": "zhao@example.invalid",
        "postal_address": "浙江省杭州市某路1号",
        "content": "该项目负责人曾在项目执行期间隐瞒重大风险事件，我掌握相关会议记录可以证明。",
        "consent": True,
    }


# --- endpoint profiles: the rules every public submission shares, run on each endpoint ---------


@dataclass(frozen=True)
class Endpoint:
    """What a shared test needs to know of one public-submission endpoint."""

    kind: str
    url: str
    status_url: str
    model: type
    target: str  # the field naming what the submission is about
    type_field: str  # individual or organisation
    not_found_code: str
    receipt_prefix: str
    payload_fixture: str
    page_fixture: str  # the published page the submission is about
    lookup_throttle: str  # "module:Class"
    lookup_scope: str
    admin_url: str
    handler_group: str
    view_codename: str
    accepts_files: bool

    def field(self, name: str) -> str:
        """The objection API's field name as this endpoint spells it."""
        return {"objector_type": self.type_field, "item": self.target}.get(name, name)

    def answer(self, record, user, text: str):
        """Answers as a handler's request does: committed, so the answer e-mail goes out."""
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            return self._answer(record, user, text)

    def _answer(self, record, user, text: str):
        if self.kind == "objection":
            from cms.objections.services import answer_objection

            return answer_objection(record, user, "not_upheld", "已核实。", text)
        from cms.consultation.services import answer_comment

        return answer_comment(record, user, "not_adopted", text)

    def throttle_class(self):
        module, name = self.lookup_throttle.split(":")
        return getattr(importlib.import_module(module), name)


def _endpoints() -> dict[str, Endpoint]:
    from cms.consultation.models import PolicyComment
    from cms.objections.models import Objection

    return {
        "objection": Endpoint(
            "objection", "/api/objections/", "/api/objections/status/", Objection, "item",
            "objector_type", "item_not_found", "YY", "payload", "open_notice",
            "cms.objections.throttles:ObjectionLookupThrottle", "objection_lookup",
            "/admin/objections/", "异议处理", "view_objection", True,
        ),
        "comment": Endpoint(
            "comment", "/api/policy-comments/", "/api/policy-comments/status/", PolicyComment,
            "policy", "commenter_type", "policy_not_found", "YJ", "comment_payload",
            "comment_policy", "cms.consultation.throttles:CommentLookupThrottle",
            "comment_lookup", "/admin/policy_comments/", "征求意见处理", "view_policycomment",
            False,
        ),
    }  # fmt: skip


@pytest.fixture(params=["objection", "comment"])
def endpoint(request) -> Endpoint:
    """Each shared test runs once against the objection API and once against the comment API."""
    return _endpoints()[request.param]


@pytest.fixture
def submission(endpoint, request) -> dict:
    """A valid submission for the endpoint under test (built only for that endpoint)."""
    return request.getfixturevalue(endpoint.payload_fixture)


@pytest.fixture
def target_page(endpoint, request):
    return request.getfixturevalue(endpoint.page_fixture)


@pytest.fixture
def comment_policy(seeded):
    """The seed policy (a draft for comments), published with a window open today."""
    from cms.domain.dates import local_date
    from cms.policies.models import PolicyPage

    today = local_date(timezone.now())
    policy = PolicyPage.objects.get()
    policy.comments_open_on = today - datetime.timedelta(days=3)
    policy.comments_close_on = today + datetime.timedelta(days=3)
    policy.save_revision().publish()
    policy.refresh_from_db()
    return policy


@pytest.fixture
def comment_payload(comment_policy) -> dict:
    return {
        "policy": comment_policy.pk,
        "commenter_type": "individual",
        "real_name": "赵异议",
        "organisation": "",
        "phone": "13800138000",
        "email": "zhao@example.invalid",
        "postal_address": "浙江省杭州市某路1号",
        "content": "建议明确隐瞒重大风险事件的认定标准，并写明所需的会议记录等证明材料。",
        "consent": True,
    }


@pytest.fixture
def reader(db):
    """Staff who may read objections, not answer them nor see who sent them."""
    group = Group.objects.create(name="只读异议")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_objection"),
    )
    return staff_user("reader", group)
