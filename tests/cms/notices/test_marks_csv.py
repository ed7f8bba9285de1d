"""The marks export (免责标注) writes formula-like cells as text."""

import csv
import io
import json

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
    body = b"".join(admin_client.get("/admin/notices/marks.csv").streaming_content).decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["project_code"] == "'=HYPERLINK(1)"
    assert rows[0]["notice_number"] == "'@SUM(1)"
    assert rows[0]["decision_date"] == "2026-12-07"


@pytest.mark.django_db
def test_the_marks_export_streams_every_mark_in_a_constant_number_of_queries(
    make_notice, admin_client, django_assert_max_num_queries
):
    """More marks than one chunk of the database cursor: every one comes out, in order, both as
    CSV and as JSON, and reading more marks costs no more queries."""
    notice = make_notice(publish=True)
    ExemptionMark.objects.bulk_create(
        ExemptionMark(notice=notice, notice_number="浙科容〔2026〕9号", project_code=f"ZJ-{n:05d}",
                      decision="exempted", decision_date="2026-12-07")
        for n in range(2500)
    )  # fmt: skip
    response = admin_client.get("/admin/notices/marks.csv")
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    with django_assert_max_num_queries(3):  # the corrections, then the marks in chunks
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    codes = [row["project_code"] for row in csv.DictReader(io.StringIO(body))]
    assert codes == [f"ZJ-{n:05d}" for n in range(2500)]

    response = admin_client.get("/admin/notices/marks.json")
    marks = json.loads(b"".join(response.streaming_content))["exemption_marks"]
    assert [mark["project_code"] for mark in marks] == codes
    assert marks[0] == {
        "project_code": "ZJ-00000", "decision": "exempted", "decision_date": "2026-12-07",
        "notice_number": "浙科容〔2026〕9号", "superseded_by": "",
    }  # fmt: skip
    assert admin_client.get("/admin/notices/marks.xlsx").status_code == 404
