"""The objection list finds a notice by part of its number: its page does not list every notice
ever published, so it stays the same size however many there are."""

# The fixtures are imported below and taken as parameters by name.
# ruff: noqa: F811

import pytest

from cms.objections.models import Objection

from ..notices.conftest import make_notice, notice_index  # noqa: F401
from .conftest import api, handler, payload  # noqa: F401

pytestmark = pytest.mark.django_db


def _object_to(api, notice) -> str:
    item = notice.items.first()
    body = {
        "item": item.pk, "objector_type": "individual", "real_name": "周异议",
        "phone": "13800138002", "email": "zhou@example.invalid",
        "postal_address": "浙江省杭州市某路3号", "consent": True,
        "content": "该事项的认定依据与我所了解的项目实际情况不符，请予以核查。",
    }  # fmt: skip
    response = api.post("/api/objections/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["receipt_number"]


def test_the_list_is_filtered_by_part_of_a_notice_number(client, handler, make_notice, api):
    first, second = make_notice(publish=True), make_notice(publish=True)
    one, two = _object_to(api, first), _object_to(api, second)
    client.force_login(handler)

    page = client.get("/admin/objections/").content.decode()
    assert one in page and two in page
    assert "公告编号" in page and 'name="notice_number"' in page

    number_part = second.notice_number.removeprefix("浙科容")  # 〔2026〕2号
    page = client.get("/admin/objections/", {"notice_number": number_part}).content.decode()
    assert two in page and one not in page
    assert Objection.objects.count() == 2


def test_the_list_does_not_grow_with_the_notices(client, handler, make_notice, api):
    _object_to(api, make_notice(publish=True))
    client.force_login(handler)
    before = client.get("/admin/objections/").content.decode()
    for _ in range(30):
        make_notice(publish=True)
    after = client.get("/admin/objections/").content.decode()
    assert after.count("<option") == before.count("<option")
    assert "浙科容〔2026〕31号" not in after
