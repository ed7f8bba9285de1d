"""Objection handling in the admin, for the 异议处理 group: a list per notice, state and
outcome, the detail (identity only with ``view_objector_details``), the handling form, evidence
downloads, and 批量不予受理: one reason for several unanswered objections at once.

批量不予受理 is a Wagtail bulk action (the list's checkboxes, which need JavaScript). Without
JavaScript, the 批量不予受理 page lists the unanswered objections with plain checkboxes whose form
opens the same bulk action's confirmation page, where the reason is given."""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import HeaderButton
from wagtail.log_actions import log
from wagtail.permissions import register_permission_policy

from cms.core.audit import register_log_actions
from cms.notices.models import DecisionNoticePage
from cms.submissions.admin_views import PublicSubmissionPermissionPolicy
from cms.submissions.rules import RECEIPT_RE

from . import services
from .admin_views import DETAILS_PERMISSION, HandleObjectionView, ObjectionInspectView
from .filters import ObjectionFilterSet
from .forms import HandlingForm, InadmissibleForm
from .models import Objection, ObjectionEvidence
from .rules import ObjectionStatus

LOG_ACTIONS = {
    "objections.investigate": ("异议进入调查核实", "异议进入调查核实"),
    "objections.answer": ("答复异议", "已答复异议"),
    "objections.view_details": ("查看异议人信息", "查看了异议人信息"),
    "objections.purge": ("清除异议人信息", "已按保存期限清除异议人信息"),
}


OBJECTION_PERMISSIONS = PublicSubmissionPermissionPolicy(Objection)
register_permission_policy(Objection, OBJECTION_PERMISSIONS)


def can_answer(user) -> bool:
    """Answering, one by one or in bulk, is changing an objection."""
    return OBJECTION_PERMISSIONS.user_has_permission(user, "change")


def unanswered_objections(notice_id: str = ""):
    """The objections not answered yet; of one notice when ``notice_id`` (from a query string)
    names one."""
    objections = Objection.objects.exclude(status=ObjectionStatus.ANSWERED)
    return objections.filter(notice_id=notice_id) if notice_id.isdigit() else objections


class ObjectionIndexView(generic.IndexView):
    """The list, with checkboxes for the bulk actions for those who may answer. The rows'
    notices and items are fetched once for the page shown (a join would join every objection
    before the sort picks the page's)."""

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("notice", "item")

    def search_queryset(self, queryset):
        """A whole receipt number (what an objector quotes) is found through its unique index;
        anything else is looked for within every receipt number."""
        number = self.search_query.strip().upper() if self.is_searching else ""
        if RECEIPT_RE.fullmatch(number):
            return queryset.filter(receipt_number=number)
        return super().search_queryset(queryset)

    @cached_property
    def can_answer(self) -> bool:
        return can_answer(self.request.user)

    @cached_property
    def columns(self):
        columns = super().columns
        if not self.can_answer:
            return columns
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type="objection"), *columns]

    def _get_title_column(self, *args, **kwargs):
        def title_id(objection) -> str:  # what each checkbox's accessible name points at
            return f"objection_{quote(objection.pk)}_title"

        return super()._get_title_column(*args, **kwargs, get_title_id=title_id)

    @cached_property
    def header_buttons(self):
        if not self.can_answer:
            return super().header_buttons
        url = reverse("objections:inadmissible")
        return [*super().header_buttons, HeaderButton("批量不予受理", url=url, icon_name="warning")]


class ChooseInadmissibleView(generic.WagtailAdminTemplateMixin, TemplateView):
    """批量不予受理 without JavaScript: the unanswered objections (of one notice, if chosen) with
    plain checkboxes, in a form that opens the bulk action's confirmation page."""

    template_name = "objections/admin/choose_inadmissible.html"
    page_title = "批量不予受理"
    header_icon = "warning"
    shown = 200

    def dispatch(self, request, *args, **kwargs):
        if not can_answer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        index = {"url": reverse("objections:index"), "label": Objection._meta.verbose_name_plural}
        return [*self.breadcrumbs_items, index, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        notice_id = self.request.GET.get("notice", "")
        objections = unanswered_objections(notice_id).select_related("notice", "item")
        notices = DecisionNoticePage.objects.filter(
            pk__in=unanswered_objections().values("notice_id")
        ).order_by("-pk")
        return {
            **super().get_context_data(**kwargs),
            "objections": objections[: self.shown],
            "total": objections.count(),
            "shown": self.shown,
            "notices": notices,
            "chosen_notice": notice_id,
            "bulk_url": reverse(
                "wagtail_bulk_action",
                args=["objections", "objection", InadmissibleBulkAction.action_type],
            ),
            "next": reverse("objections:index"),
        }


class InadmissibleBulkAction(BulkAction):
    """不予受理 for the objections chosen, with one reason: each is answered (its audit log
    entry, its e-mail) as if answered on its own. Those already answered are listed apart and
    left alone. Only for those who may answer."""

    display_name = "不予受理"
    action_type = "inadmissible"
    aria_label = "将所选异议标记为不予受理"
    template_name = "objections/admin/confirm_inadmissible.html"
    action_priority = 10
    models = [Objection]
    form_class = InadmissibleForm

    def dispatch(self, request, *args, **kwargs):
        if not can_answer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def check_perm(self, objection):
        return not objection.is_answered

    def get_all_objects_in_listing_query(self, parent_id):
        """ "All in the listing": the unanswered ones the list's filters leave, or those of the
        notice chosen on the 批量不予受理 page."""
        unanswered = unanswered_objections(self.request.GET.get("notice", ""))
        listed = ObjectionFilterSet(self.request.GET, queryset=unanswered).qs
        return listed.values_list("pk", flat=True)

    def object_context(self, objection):
        return {"item": objection, "edit_url": reverse("objections:edit", args=[objection.pk])}

    def get_execution_context(self):
        reason = self.cleaned_form.cleaned_data["reason"]
        return {"user": self.request.user, "reason": reason}

    @classmethod
    def execute_action(cls, objects, user=None, reason="", **kwargs):
        return len(services.declare_inadmissible(objects, user, reason)), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return f"已将{num_parent_objects}件异议答复为不予受理，答复将通过电子邮件发送给异议人。"


class ObjectionViewSet(ModelViewSet):
    model = Objection
    icon = "warning"
    menu_label = "异议处理"
    add_to_admin_menu = True
    menu_order = 160
    form_class = HandlingForm
    list_display = ["receipt_number", "notice", "item", "status", "outcome", "created_at"]
    filterset_class = ObjectionFilterSet
    search_fields = ["receipt_number"]
    index_view_class = ObjectionIndexView
    index_template_name = "objections/admin/index.html"
    inspect_view_enabled = True
    inspect_view_class = ObjectionInspectView
    edit_view_class = HandleObjectionView
    copy_view_enabled = False

    def get_form_class(self, for_update=False):
        return HandlingForm

    def get_urlpatterns(self):
        choose = ChooseInadmissibleView.as_view()
        return [*super().get_urlpatterns(), path("inadmissible/", choose, name="inadmissible")]


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


hooks.register("register_bulk_action", InadmissibleBulkAction)
register_log_actions(LOG_ACTIONS)
