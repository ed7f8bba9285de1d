"""Admin views for the actions that are not edits: finalise, withdraw, start a correction,
approve (guarded), and the exemption-mark export."""

import csv
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.views.pages.workflow import WorkflowActionView

from .guards import NoticeGuardError, publish_errors
from .models import DecisionNoticePage, ExemptionMark
from .services import finalise_notice, start_correction, unanswered_objections, withdraw_notice

MARK_COLUMNS = ["project_code", "decision", "decision_date", "notice_number"]


def _notice(page_id: int) -> DecisionNoticePage:
    return get_object_or_404(DecisionNoticePage, pk=page_id)


def _explore_url(notice) -> str:
    return reverse("wagtailadmin_explore", args=[notice.get_parent().pk])


def _confirm(request, notice, *, title, explanation, confirm_label, errors=(), **extra):
    now = timezone.now()
    context = {
        "header_title": title,
        "page_title": title,
        "notice": notice,
        "state": notice.state_at(now),
        "window": notice.publicity_window,
        "unanswered": extra.pop("unanswered", None),
        "explanation": explanation,
        "confirm_label": confirm_label,
        "errors": errors,
        "back_url": _explore_url(notice),
        **extra,
    }
    return TemplateResponse(request, "notices/admin/confirm_action.html", context)


def finalise(request, page_id: int):
    notice = _notice(page_id)
    if not request.user.has_perm("notices.finalise_decisionnoticepage"):
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            marks = finalise_notice(notice, request.user)
        except NoticeGuardError as exc:
            errors = [error.message for error in exc.errors]
        else:
            messages.success(request, f"已确认认定结果，生成免责标注 {len(marks)} 条。")
            return redirect(_explore_url(notice))
    return _confirm(
        request,
        notice,
        title=f"确认认定结果：{notice.title}",
        explanation="公示期满且异议均已答复后，确认认定结果并生成免责标注。确认后不可撤销。",
        confirm_label="确认认定结果",
        errors=errors,
        unanswered=unanswered_objections(notice),
    )


def withdraw(request, page_id: int):
    notice = _notice(page_id)
    if not request.user.has_perm("notices.withdraw_decisionnoticepage"):
        raise PermissionDenied
    errors, reason = [], ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            withdraw_notice(notice, request.user, reason)
        except NoticeGuardError as exc:
            errors = [error.message for error in exc.errors]
        else:
            messages.success(request, "公告已撤回，门户将显示撤回说明。")
            return redirect(_explore_url(notice))
    return _confirm(
        request,
        notice,
        title=f"撤回公告：{notice.title}",
        explanation="撤回后公告仍可查阅，并显示撤回原因；异议不再受理。",
        confirm_label="撤回公告",
        errors=errors,
        needs_reason=True,
        reason=reason,
    )


def correct(request, page_id: int):
    notice = _notice(page_id)
    if not notice.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    errors = []
    if request.method == "POST":
        try:
            correction = start_correction(notice, request.user)
        except NoticeGuardError as exc:
            errors = [error.message for error in exc.errors]
        else:
            messages.success(request, "已创建更正公告草稿，请修改后提交集体审定。")
            return redirect("wagtailadmin_pages:edit", correction.pk)
    return _confirm(
        request,
        notice,
        title=f"更正公告：{notice.title}",
        explanation="已发布的公告不能直接修改。将创建一份更正公告草稿（含原事项），"
        "修改后经集体审定发布；更正事项重新公示7天，原公告保留并标注“已更正”。",
        confirm_label="创建更正公告",
        errors=errors,
    )


class GuardedWorkflowActionView(WorkflowActionView):
    """Wagtail's workflow action, refusing to approve a notice the guards forbid, with why."""

    def post(self, request, *args, **kwargs):
        if self.action_name == "approve":
            notice = self.task_state.revision.as_object()
            if isinstance(notice, DecisionNoticePage):
                errors = publish_errors(notice, timezone.now())
                if errors:
                    for error in errors:
                        messages.error(request, f"不能通过审定：{error.message}")
                    if request.headers.get("x-requested-with") == "XMLHttpRequest":
                        return self.render_modal_json(
                            request, {"step": "success", "redirect": self.redirect_url}
                        )
                    return redirect(self.redirect_url)
        return super().post(request, *args, **kwargs)


def export_marks(request, fmt: str):
    """免责标注 for the provincial project management system, as CSV or JSON."""
    if not request.user.has_perm("notices.view_exemptionmark"):
        raise PermissionDenied
    rows = [
        {
            "project_code": mark.project_code,
            "decision": mark.decision,
            "decision_date": mark.decision_date.isoformat(),
            "notice_number": mark.notice_number,
        }
        for mark in ExemptionMark.objects.order_by("decision_date", "project_code")
    ]
    if fmt == "json":
        body = json.dumps({"exemption_marks": rows}, ensure_ascii=False, indent=1)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="exemption-marks.json"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="exemption-marks.csv"'
    response.write("\ufeff")  # lets spreadsheet programs read UTF-8 Chinese correctly
    writer = csv.DictWriter(response, fieldnames=MARK_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return response
