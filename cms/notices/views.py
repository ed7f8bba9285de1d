"""Admin views for the actions that are not edits: finalise, withdraw, start a correction,
approve (guarded), and the exemption-mark export."""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import chain, islice
from json.encoder import encode_basestring

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.pages.workflow import WorkflowActionView

from cms.domain.dates import local_date
from cms.domain.errors import GuardError
from common.spreadsheet import FORMULA_STARTS, neutralise_cell

from .demo import DEMO_NUMBER_PREFIX
from .guards import NoticeGuardError, publish_errors
from .models import DecisionNoticePage, ExemptionMark, NoticeIndexPage
from .services import (
    correction_errors,
    finalise_errors,
    finalise_notice,
    start_correction,
    unanswered_objections,
    withdraw_errors,
    withdraw_notice,
)

#: superseded_by: the correction notice whose marks replace this row's (empty if current).
MARK_COLUMNS = ["project_code", "decision", "decision_date", "notice_number", "superseded_by"]


def _notice(page_id: int) -> DecisionNoticePage:
    return get_object_or_404(DecisionNoticePage, pk=page_id)


def _explore_url(notice) -> str:
    return reverse("wagtailadmin_explore", args=[notice.get_parent().pk])


@dataclass(frozen=True)
class NoticeAction:
    """One of the actions on a published notice that are not edits, with its confirm page."""

    title: str
    explanation: str
    confirm_label: str
    permitted: Callable[[object, DecisionNoticePage], bool]
    perform: Callable[[HttpRequest, DecisionNoticePage], str]  # returns where to go next
    needs_reason: bool = False
    #: Every reason the action would be refused now, whatever is typed in the form: listed
    #: before the click, in place of the confirm button. The action refuses with the same.
    precheck: Callable[[DecisionNoticePage], list[GuardError]] = lambda notice: []
    asks_start_date: bool = False


def _run(request, page_id: int, action: NoticeAction):
    notice = _notice(page_id)
    if not action.permitted(request.user, notice):
        raise PermissionDenied
    refusals = action.precheck(notice)
    errors = refusals
    if request.method == "POST":
        try:
            return redirect(action.perform(request, notice))
        except NoticeGuardError as exc:
            errors = exc.errors
    today = local_date(timezone.now())
    context = {
        "header_title": f"{action.title}：{notice.title}",
        "page_title": f"{action.title}：{notice.title}",
        "notice": notice,
        "state": notice.state_at(timezone.now()),
        "window": notice.publicity_window,
        "unanswered": unanswered_objections(notice),
        "explanation": action.explanation,
        "confirm_label": action.confirm_label,
        "errors": [error.message for error in errors],
        "field_errors": {error.field: error.message for error in errors if error.field},
        "back_url": _explore_url(notice),
        "needs_reason": action.needs_reason,
        "reason": request.POST.get("reason", ""),
        "asks_start_date": action.asks_start_date,
        "start_date": request.POST.get("start_date") or today.isoformat(),
        "today": today.isoformat(),
        "refused": bool(refusals),  # no confirm button: nothing typed can change the answer
        "posted": request.method == "POST",
    }
    return TemplateResponse(request, "notices/admin/confirm_action.html", context)


def _finalise(request, notice) -> str:
    marks = finalise_notice(notice, request.user)
    messages.success(request, f"已确认认定结果，生成免责标注 {len(marks)} 条。")
    return _explore_url(notice)


def _withdraw(request, notice) -> str:
    withdraw_notice(notice, request.user, request.POST.get("reason", ""))
    messages.success(request, "公告已撤回，门户将显示撤回说明。")
    return _explore_url(notice)


def _start_date(request) -> date | None:
    try:
        return date.fromisoformat(request.POST.get("start_date", ""))
    except ValueError:
        return None


START_DATE_INVALID = GuardError(
    "start_date_invalid",
    "请填写有效的公示开始日期（年-月-日）。",
    "Enter a valid start date (YYYY-MM-DD).",
    field="start_date",
)


def _correct(request, notice) -> str:
    start = _start_date(request)
    if start is None:  # every other reason too, not the date's alone
        raise NoticeGuardError([*correction_errors(notice, timezone.now()), START_DATE_INVALID])
    correction = start_correction(notice, request.user, start=start)
    messages.success(request, "已创建更正公告草稿，请修改后提交集体审定。")
    return reverse("wagtailadmin_pages:edit", args=[correction.pk])


FINALISE = NoticeAction(
    title="确认认定结果",
    explanation="公示期满且异议均已答复后，确认认定结果并生成免责标注。确认后不可撤销。",
    confirm_label="确认认定结果",
    permitted=lambda user, notice: user.has_perm("notices.finalise_decisionnoticepage"),
    perform=_finalise,
    precheck=lambda notice: finalise_errors(notice, timezone.now()),
)
WITHDRAW = NoticeAction(
    title="撤回公告",
    explanation="撤回后公告仍可查阅，并显示撤回原因；异议不再受理。",
    confirm_label="撤回公告",
    permitted=lambda user, notice: user.has_perm("notices.withdraw_decisionnoticepage"),
    perform=_withdraw,
    needs_reason=True,
    precheck=lambda notice: withdraw_errors(notice, timezone.now()),
)
CORRECT = NoticeAction(
    title="更正公告",
    explanation="已发布的公告不能直接修改。将创建一份更正公告草稿（含原事项），"
    "修改后经集体审定发布；更正事项自所填开始日期起重新公示7天（可选今天，不能早于今天）。"
    "原公告保留并标注“已更正”。同一公告同时只能有一份未发布的更正公告。",
    confirm_label="创建更正公告",
    permitted=lambda user, notice: notice.permissions_for_user(user).can_edit(),
    perform=_correct,
    precheck=lambda notice: correction_errors(notice, timezone.now()),
    asks_start_date=True,
)


def notice_index(request):
    """决定公告 in the admin menu: the explorer of the 公示公告 section, with the notices' state."""
    index = NoticeIndexPage.objects.first()
    if index is None:
        return redirect("wagtailadmin_explore_root")
    return redirect("wagtailadmin_explore", index.pk)


def finalise(request, page_id: int):
    return _run(request, page_id, FINALISE)


def withdraw(request, page_id: int):
    return _run(request, page_id, WITHDRAW)


def correct(request, page_id: int):
    return _run(request, page_id, CORRECT)


class GuardedWorkflowActionView(WorkflowActionView):
    """Wagtail's workflow action, refusing an approval the page's guards forbid, with why,
    before anything is recorded. Subclasses name the guards in :meth:`approval_errors`."""

    def approval_errors(self, page) -> list[GuardError]:
        if isinstance(page, DecisionNoticePage):
            return publish_errors(page, timezone.now())
        return []

    def post(self, request, *args, **kwargs):
        if self.action_name == "approve":
            errors = self.approval_errors(self.task_state.revision.as_object())
            if errors:
                for error in errors:
                    messages.error(request, f"不能通过审定：{error.message}")
                if request.headers.get("x-requested-with") == "XMLHttpRequest":
                    return self.render_modal_json(
                        request, {"step": "success", "redirect": self.redirect_url}
                    )
                return redirect(self.redirect_url)
        return super().post(request, *args, **kwargs)


def export_marks_queryset():
    """Marks for the provincial system: never those of demo (示例) notices."""
    return ExemptionMark.objects.exclude(notice_number__startswith=DEMO_NUMBER_PREFIX).order_by(
        "decision_date", "project_code"
    )


def superseding_numbers() -> dict[int, str]:
    """Notice id → the number of the live correction that supersedes its marks."""
    return dict(
        DecisionNoticePage.objects.filter(live=True, corrects__isnull=False).values_list(
            "corrects_id", "notice_number"
        )
    )


#: Rows in each chunk of a streamed export: one write of 60 to 160 KB rather than one per row.
ROWS_PER_CHUNK = 1000
#: The start of a cell a spreadsheet would run as a formula (see common.spreadsheet), after the
#: separator :func:`_csv_chunks` puts before every cell of a chunk.
FORMULA_CELL = re.compile("\x00[" + re.escape("".join(FORMULA_STARTS)) + "]")
#: One mark as JSON, its cells (JSON strings) to fill in: what ``json.JSONEncoder(
#: ensure_ascii=False).encode`` writes of the mark's dict, without encoding the keys every time.
JSON_MARK = "{" + ", ".join(f"{encode_basestring(name)}: %s" for name in MARK_COLUMNS) + "}"


def _mark_chunks() -> Iterator[list[tuple[str, ...]]]:
    """The export's rows (cells in ``MARK_COLUMNS`` order, all strings), ``ROWS_PER_CHUNK`` at a
    time, read from the database two chunks at a time."""
    superseded = superseding_numbers()
    fields = ("project_code", "decision", "decision_date", "notice_number", "notice_id")
    marks = export_marks_queryset().values_list(*fields).iterator(chunk_size=2 * ROWS_PER_CHUNK)
    while chunk := list(islice(marks, ROWS_PER_CHUNK)):
        yield [
            (code, decision, decided.isoformat(), number, superseded.get(notice_id, ""))
            for code, decision, decided, number, notice_id in chunk
        ]


def _csv_chunks(chunks: Iterable[list[tuple[str, ...]]]) -> Iterator[str]:
    """The CSV, one chunk of text per chunk of rows: a chunk's cells are neutralised one by one
    only when one of them may start like a formula (found in one scan of the chunk's text)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM lets spreadsheets read UTF-8 Chinese
    writer = csv.writer(buffer)
    writer.writerow(MARK_COLUMNS)
    for rows in chunks:
        if FORMULA_CELL.search("\x00" + "\x00".join(chain.from_iterable(rows))):
            rows = [list(map(neutralise_cell, row)) for row in rows]
        writer.writerows(rows)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():  # no rows: the header alone
        yield buffer.getvalue()


def _json_chunks(chunks: Iterable[list[tuple[str, ...]]]) -> Iterator[str]:
    """``{"exemption_marks": [...]}``, one mark a line, one chunk of text per chunk of rows."""
    encode = encode_basestring
    head = '{"exemption_marks": ['
    separator = "\n"  # before the first mark; ",\n" before every other
    for rows in chunks:
        marks = ",\n".join([JSON_MARK % tuple(map(encode, row)) for row in rows])
        yield head + separator + marks
        head, separator = "", ",\n"
    if head:  # no rows
        yield head
    yield "\n]}\n"


def export_marks(request, fmt: str):
    """免责标注 for the provincial project management system, as CSV or JSON: streamed, so its
    memory stays the same however many marks there are."""
    if not request.user.has_perm("notices.view_exemptionmark"):
        raise PermissionDenied
    if fmt not in ("csv", "json"):
        raise Http404
    if fmt == "json":
        chunks, content_type, name = _json_chunks(_mark_chunks()), "application/json", "json"
    else:
        chunks, content_type, name = _csv_chunks(_mark_chunks()), "text/csv", "csv"
    response = StreamingHttpResponse(chunks, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="exemption-marks.{name}"'
    return response
