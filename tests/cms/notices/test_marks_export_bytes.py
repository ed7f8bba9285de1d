"""The marks export writes, byte for byte, what a plain row-by-row writer would: the CSV module
with every cell neutralised, and ``json.JSONEncoder(ensure_ascii=False)`` one mark a line."""

import csv
import datetime
import io
import json

import pytest

from cms.notices import views
from cms.notices.models import DecisionNoticePage, ExemptionMark
from common.spreadsheet import neutralise_cell

pytestmark = pytest.mark.django_db

AWKWARD_CODES = [
    "=HYPERLINK(1)", "+1", "-1", "@SUM(1)", "\tTAB", "\rCR", "a=b", "引号\"与,逗号",
    "换行\n之后", "反斜杠\\", "\x01控制", "\u2028行分隔", "ZJ-正常", "",
]  # fmt: skip


def _reference(fmt: str) -> bytes:
    """The export as written one row at a time, from the marks as the database orders them."""
    superseded = views.superseding_numbers()
    rows = [
        (mark.project_code, mark.decision, mark.decision_date.isoformat(), mark.notice_number,
         superseded.get(mark.notice_id, ""))
        for mark in views.export_marks_queryset()
    ]  # fmt: skip
    if fmt == "csv":
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(views.MARK_COLUMNS)
        for row in rows:
            writer.writerow([neutralise_cell(cell) for cell in row])
        return out.getvalue().encode()
    encode = json.JSONEncoder(ensure_ascii=False).encode
    marks = ",".join("\n" + encode(dict(zip(views.MARK_COLUMNS, row, strict=True))) for row in rows)
    return ('{"exemption_marks": [' + marks + "\n]}\n").encode()


def _export(client, fmt: str) -> list[bytes]:
    response = client.get(f"/admin/notices/marks.{fmt}")
    assert response.status_code == 200 and response.streaming
    return list(response.streaming_content)


def _marks(notice, number: str, count: int, codes=()) -> None:
    day = datetime.date(2026, 12, 7)
    codes = list(codes) + [f"ZJ-{n:05d}" for n in range(count - len(codes))]
    ExemptionMark.objects.bulk_create(
        ExemptionMark(notice=notice, notice_number=number, project_code=code,
                      decision="exempted" if n % 3 else "rejected",
                      decision_date=day + datetime.timedelta(days=n % 4))
        for n, code in enumerate(codes)
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_an_export_without_marks_is_its_frame_alone(admin_client, fmt):
    assert b"".join(_export(admin_client, fmt)) == _reference(fmt)
    if fmt == "json":
        assert json.loads(b"".join(_export(admin_client, fmt))) == {"exemption_marks": []}


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize("count", [1, views.ROWS_PER_CHUNK, 2 * views.ROWS_PER_CHUNK + 1])
def test_the_export_is_what_a_row_by_row_writer_writes(admin_client, make_notice, fmt, count):
    notice = make_notice(publish=True)
    corrected = make_notice(publish=True)
    correction = make_notice(publish=True)
    DecisionNoticePage.objects.filter(pk=correction.pk).update(corrects=corrected)
    _marks(notice, "=浙科容〔2026〕1号", count, AWKWARD_CODES[: min(count, len(AWKWARD_CODES))])
    _marks(corrected, corrected.notice_number, 3)
    chunks = _export(admin_client, fmt)
    body = b"".join(chunks)
    assert body == _reference(fmt)
    assert len(chunks) <= count // views.ROWS_PER_CHUNK + 3  # chunks of rows, never one per row
    if fmt == "json":
        marks = json.loads(body)["exemption_marks"]
        assert len(marks) == count + 3
        assert sum(mark["superseded_by"] == correction.notice_number for mark in marks) == 3
    else:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == count + 4
        assert "'=浙科容〔2026〕1号" in {row[3] for row in rows}
