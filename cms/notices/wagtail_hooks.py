"""Admin wiring for notices: the explorer listing, action buttons, audit-log actions, URLs, the
marks listing."""

from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Site

from cms.core.audit import register_log_actions

from . import rules, views
from .models import DecisionNoticePage

LOG_ACTIONS = {
    "notices.finalise": ("确认认定结果", "已确认认定结果"),
    "notices.withdraw": ("撤回公告", "已撤回公告"),
    "notices.correction_started": ("创建更正公告", "已创建更正公告"),
    "notices.state_change": ("公告状态变化", "公告状态变化"),
    "notices.reapproval_needed": ("须重新审定", "公示开始日期已过，公告未上线，须重新审定"),
}


def listed_facts(page: DecisionNoticePage) -> rules.NoticeFacts:
    """``page.facts()`` from what the listing fetched for its whole page (an approved go-live,
    workflow states, whether a live correction exists): no query per listed notice."""
    approved = bool(page.live or page.first_published_at or page.approved_schedule)
    return rules.NoticeFacts(
        approved=approved,
        window=page.publicity_window,
        finalised=page.finalised_at is not None,
        corrected=page.live_correction_exists,
        withdrawn=page.withdrawn_at is not None,
        in_review=not approved and page.workflow_in_progress,
    )


def state_text(page) -> str:
    if hasattr(page, "live_correction_exists"):  # set by the listing
        state = rules.state_at(listed_facts(page), timezone.now()).label
    else:
        state = page.state_at().label
    return f"{state}（须重新审定）" if page.reapproval_reason else state


class NoticeExplorerView(ExplorableIndexView):
    """The 公示公告 section's explorer: a constant number of SQL statements for any number of
    notices. Each notice's state comes from what the listing's query annotates and one query
    for the live corrections of the page's notices (see :func:`listed_facts`); the sites' root
    paths, which each row's 实时查看 link needs, are read once per page instead of from the
    (database) cache once per row."""

    def get_table(self, object_list):
        notices = [page for page in object_list if isinstance(page, DecisionNoticePage)]
        corrected = set(
            DecisionNoticePage.objects.filter(
                corrects__in=[notice.pk for notice in notices], live=True
            ).values_list("corrects_id", flat=True)
        )
        root_paths = Site.get_site_root_paths()
        for page in object_list:
            page._wagtail_cached_site_root_paths = root_paths  # what Page.get_url_parts reads
        for notice in notices:
            notice.live_correction_exists = notice.pk in corrected
        return super().get_table(object_list)


class NoticeViewSet(PageViewSet):
    """决定公告 in their own admin menu, with the publicity state, and guarded approval."""

    model = DecisionNoticePage
    icon = "doc-full-inverse"
    menu_label = "决定公告"
    # Page viewsets have no URLs of their own: the menu opens the notices' parent in the explorer.
    menu_url = reverse_lazy("notices_index")
    add_to_admin_menu = True
    menu_order = 150
    workflow_action_view_class = views.GuardedWorkflowActionView
    index_view_class = NoticeExplorerView
    columns = [
        *PageViewSet.columns,
        Column("notice_number", label="公告编号"),
        Column("publicity_start", label="公示开始"),
        Column("state_label", label="公示状态", accessor=lambda page: state_text(page)),
    ]


@hooks.register("register_admin_viewset")
def register_notice_viewset():
    return NoticeViewSet("decision_notices")


class NoticeMenuItem(PageMenuItem):
    """A live notice's own action in the page's menus (the listing's "more" menu and the page
    header's), given as Wagtail gives its own (Edit, Move, Delete …): Wagtail draws it as theirs.
    Made without ``next_url``: each action's view decides where to go afterwards."""

    permission = ""

    def is_shown(self, user):
        is_live_notice = self.page.specific_class is DecisionNoticePage and self.page.live
        return is_live_notice and self.allowed(user)

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission)


class FinaliseMenuItem(NoticeMenuItem):
    label = "确认认定结果"
    icon_name = "tick"
    url_name = "notices_finalise"
    permission = "notices.finalise_decisionnoticepage"


class CorrectMenuItem(NoticeMenuItem):
    label = "更正公告"
    icon_name = "edit"
    url_name = "notices_correct"

    def allowed(self, user) -> bool:
        return self.page.permissions_for_user(user).can_edit()


class WithdrawMenuItem(NoticeMenuItem):
    label = "撤回公告"
    icon_name = "cross"
    url_name = "notices_withdraw"
    permission = "notices.withdraw_decisionnoticepage"


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("notices/", views.notice_index, name="notices_index"),
        path("notices/<int:page_id>/finalise/", views.finalise, name="notices_finalise"),
        path("notices/<int:page_id>/withdraw/", views.withdraw, name="notices_withdraw"),
        path("notices/<int:page_id>/correct/", views.correct, name="notices_correct"),
        path("notices/marks.<str:fmt>", views.export_marks, name="notices_export_marks"),
    ]


def _notice_buttons(page, user):
    yield FinaliseMenuItem(page=page, priority=70)
    yield CorrectMenuItem(page=page, priority=71)
    yield WithdrawMenuItem(page=page, priority=72)


@hooks.register("register_page_listing_more_buttons")
def notice_listing_buttons(page, user, next_url=None):
    yield from _notice_buttons(page, user)


@hooks.register("register_page_header_buttons")
def notice_header_buttons(page, user, view_name, next_url=None):
    yield from _notice_buttons(page, user)


register_log_actions(LOG_ACTIONS)


class MarksMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("notices.view_exemptionmark")


@hooks.register("register_admin_menu_item")
def register_marks_menu_item():
    return MarksMenuItem(
        "免责标注导出(CSV)",
        reverse("notices_export_marks", args=["csv"]),
        icon_name="download",
        order=900,
    )
