"""Objection handling in the admin, for the 异议处理 group: a list per notice and state, the
detail (identity only with ``view_objector_details``), the handling form, evidence downloads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from cms.core.audit import register_log_actions

from . import services
from .forms import HandlingForm
from .models import PERSONAL_FIELDS, Objection, ObjectionEvidence

DETAILS_PERMISSION = "objections.view_objector_details"
LOG_ACTIONS = {
    "objections.investigate": ("异议进入调查核实", "异议进入调查核实"),
    "objections.answer": ("答复异议", "已答复异议"),
    "objections.view_details": ("查看异议人信息", "查看了异议人信息"),
    "objections.purge": ("清除异议人信息", "已按保存期限清除异议人信息"),
}


class PublicSubmissionPermissionPolicy(ModelPermissionPolicy):
    """Submissions come only from the public: nobody adds or deletes them in the admin."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(Objection, PublicSubmissionPermissionPolicy(Objection))


class PersonalDataInspectView(generic.InspectView):
    """The detail of a public submission: the submitter's identity only for staff with
    ``details_permission``, and every such view logged as ``details_log_action``."""

    details_permission = DETAILS_PERMISSION
    details_log_action = "objections.view_details"
    inspect_fields: list[str] = []

    def get_fields(self):
        fields = list(self.inspect_fields)
        if not self.request.user.has_perm(self.details_permission):
            fields = [name for name in fields if name not in PERSONAL_FIELDS]
        return fields

    def get(self, request, *args, **kwargs):
        if request.user.has_perm(self.details_permission):
            log(instance=self.object, action=self.details_log_action, user=request.user)
        return super().get(request, *args, **kwargs)


class ObjectionInspectView(PersonalDataInspectView):
    inspect_fields = [
        "receipt_number", "created_at", "notice", "item", "objector_type", *PERSONAL_FIELDS,
        "content", "evidence", "status", "investigation", "outcome", "answer", "answered_at",
        "answered_by", "personal_data_purged_at",
    ]  # fmt: skip

    def get_evidence_display_value(self):
        links = [
            format_html(
                '<a href="{}">{}</a>（{}，{} KB）',
                reverse("objections_evidence", args=[e.pk]),
                e.original_name,
                e.content_type,
                e.size // 1024,
            )
            for e in self.object.evidence.all()
        ]
        return format_html("<br>".join(["{}"] * len(links)), *links) if links else "-"


class HandleObjectionView(generic.EditView):
    def save_instance(self):
        objection = self.form.instance
        data = self.form.cleaned_data
        if data.get("outcome"):
            objection, correction = services.answer_objection(
                objection, self.request.user, data["outcome"], data["investigation"], data["answer"]
            )
            if correction is not None:
                url = reverse("wagtailadmin_pages:edit", args=[correction.pk])
                messages.warning(
                    self.request,
                    format_html(
                        '异议成立：已创建<a href="{}">更正公告草稿</a>，请修改后提交集体审定。', url
                    ),
                )
            return objection
        Objection.objects.filter(pk=objection.pk).update(investigation=data["investigation"])
        services.mark_investigating(objection, self.request.user)
        objection.refresh_from_db()
        return objection


class ObjectionViewSet(ModelViewSet):
    model = Objection
    icon = "warning"
    menu_label = "异议处理"
    add_to_admin_menu = True
    menu_order = 160
    form_class = HandlingForm
    list_display = ["receipt_number", "notice", "item", "status", "created_at"]
    list_filter = ["status", "notice"]
    search_fields = ["receipt_number"]
    inspect_view_enabled = True
    inspect_view_class = ObjectionInspectView
    edit_view_class = HandleObjectionView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return HandlingForm


def evidence_download(request, pk: int):
    if not request.user.has_perm(DETAILS_PERMISSION):
        raise PermissionDenied
    evidence = get_object_or_404(ObjectionEvidence, pk=pk)
    log(instance=evidence.objection, action="objections.view_details", user=request.user)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@hooks.register("register_admin_viewset")
def register_objection_viewset():
    return ObjectionViewSet("objections")


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("objections/evidence/<int:pk>/", evidence_download, name="objections_evidence")]


register_log_actions(LOG_ACTIONS)
