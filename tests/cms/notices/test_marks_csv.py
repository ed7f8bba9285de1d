"""The marks export (免责标注) writes formula-like cells as text."""

import csv
import io

import pytest

from cms.notices.models import ExemptionMark


@pytest.mark.django_db
def test_the_marks_csv_export_neutralises_its_cells(make_notice, admin_client):
    notice = make_notice(publish=True)
    ExemptionMark.objects.create(
        notice=notice,
        notice_number="@SUM(1)",
        project_code="=HYPERLINK(1)",
        decision="exempted",
        decision_date="2026-12-07",
    )
    body = admin_client.get("/admin/notices/marks.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["project_code"] == "'=HYPERLINK(1)"
    assert rows[0]["notice_number"] == "'@SUM(1)"
    assert rows[0]["decision_date"] == "2026-12-07"
