"""A notice's edit page does not grow with the site: no choice over every notice (the corrected
notice is shown, not chosen), the same SQL statements and about the same bytes however many
other notices there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.notices.services import start_correction

pytestmark = pytest.mark.django_db


def _edit(client, notice) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/admin/pages/{notice.pk}/edit/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("corrected", [False, True])
def test_the_edit_page_does_not_grow_with_the_number_of_notices(
    admin_client, make_notice, approver, corrected
):
    notice = make_notice(publish=True)
    if corrected:
        notice = start_correction(notice, approver)
    _edit(admin_client, notice)  # caches warmed
    few, html = _edit(admin_client, notice)
    others = [make_notice(publish=n % 2 == 0, title=f"另一份公告第{n}号") for n in range(12)]
    many, more_html = _edit(admin_client, notice)
    assert many == few
    assert abs(len(more_html) - len(html)) < len(html) // 100
    assert not [other.title for other in others if other.title in more_html]
    assert more_html.count("<option") == html.count("<option")
