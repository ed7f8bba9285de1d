"""An open notice to object to, a valid objection payload, and evidence files of each kind."""

import io
import zipfile

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cms.notices.models import DecisionItem

from ..notices.conftest import approver, editor, make_notice, notice_index  # noqa: F401

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
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


@pytest.fixture
def api() -> APIClient:
    return APIClient()


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
