"""Admin wiring for notices: the explorer listing, action buttons, audit-log actions, URLs, the
marks listing."""

from django.urls import path, reverse, reverse_lazy
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.ui.tables.pages import ParentPageColumn
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.admin.widgets.button import Button, ButtonWithDropdownFromHook
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


def explores_whole_subtree(policy, user, page) -> bool:
    """Whether ``user`` may explore every page under ``page``: a superuser, or a user with an
    explore permission (add, change, publish, lock, unlock, bulk delete) on the page or one of
    its ancestors. Wagtail's explorable pages then hold every page under it."""
    if not user.is_active or user.is_superuser:
        return user.is_active
    return any(
        page.path.startswith(granted.path)
        for granted in policy.instances_with_direct_explore_permission(user)
    )


def remember_permissions(page, user) -> None:
    """Makes ``page.permissions_for_user(user)`` give the same tester for the rest of the
    request: the listing asks for it about ten times per row (title, buttons, navigation)."""
    tester = page.permissions_for_user(user)
    ask = page.permissions_for_user
    page.permissions_for_user = lambda asked: tester if asked is user else ask(asked)


class NoticeExplorerView(ExplorableIndexView):
    """The 公示公告 section's explorer: a constant number of SQL statements for any number of
    notices. Each notice's state comes from what the listing's query annotates and one query
    for the live corrections of the page's notices (see :func:`listed_facts`); the sites' root
    paths, which each row's 实时查看 link needs, are read once per page instead of from the
    (database) cache once per row; each row's permissions are tested once, not per button."""

    def setup(self, request, *args, **kwargs):
        """Without the parent column, which the explorer never shows: Wagtail would otherwise
        fetch every listed notice's parent (a search annotates the parents itself)."""
        super().setup(request, *args, **kwargs)
        self.columns = [c for c in self.columns if not isinstance(c, ParentPageColumn)]

    def get_base_queryset(self):
        """Wagtail's, less the filter by the pages the user may explore when it cannot exclude
        any page listed here: that filter costs the count and the page's query a join over
        every page of the site."""
        searching = self.is_searching or self.is_filtering
        if (searching and self.is_searching_whole_tree) or not explores_whole_subtree(
            self.permission_policy, self.request.user, self.parent_page
        ):
            return super().get_base_queryset()
        manager = self.model._default_manager
        if searching:
            pages = manager.descendant_of(self.parent_page)
        else:
            pages = manager.child_of(self.parent_page)
        return self.annotate_queryset(pages)

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
            remember_permissions(page, self.request.user)
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


def icon_html(name: str, classname: str = "icon"):
    """What Wagtail's ``{% icon name classname %}`` draws (wagtailadmin/shared/icon.html)."""
    return format_html(
        '<svg class="icon icon-{} {}" aria-hidden="true"><use href="#icon-{}"></use></svg>',
        name,
        classname,
        name,
    )


def menu_entry_html(button: Button, parent_context):
    """One entry of a "more" menu as wagtailadmin/shared/button.html draws a plain ``Button``;
    any other kind of button by its own template."""
    if type(button) is not Button:
        return button.render_html(parent_context)
    icon = icon_html(button.icon_name) if button.icon_name else ""
    tag = '<a href="{url}" class="{classname}" {attrs}>' if button.url else (
        '<button class="{classname}" {attrs}>'
    )  # fmt: skip
    end = "</a>" if button.url else "</button>"
    return format_html(
        tag + "\n{icon}\n{label}\n" + end,
        url=button.url,
        classname=button.classname,
        attrs=button.base_attrs_string,
        icon=icon,
        label=button.label,
    )


class NoticeMenuDropdown(ButtonWithDropdownFromHook):
    """A listed notice's "more" menu (编辑, 移动, 历史, 更正公告 …), drawn as Wagtail's templates
    draw it (the dropdown, each entry, each icon; whitespace aside) but without a template per
    entry: a page of 50 notices would render some 800 small templates, a third of its time.
    Anything else than the icon-only toggle Wagtail makes is drawn by Wagtail's templates."""

    @classmethod
    def taking_over(cls, dropdown: ButtonWithDropdownFromHook) -> "NoticeMenuDropdown":
        menu = cls.__new__(cls)
        menu.__dict__.update(dropdown.__dict__)  # its entries too, if already gathered
        return menu

    def render_html(self, parent_context=None):
        if self.label or self.classname or not self.icon_name:
            return super().render_html(parent_context)
        aria_label = format_html(' aria-label="{}"', self.aria_label) if self.aria_label else ""
        buttons = sorted(self.dropdown_buttons)
        entries = format_html_join(
            "\n", "{}", ((menu_entry_html(button, parent_context),) for button in buttons)
        )
        return format_html(
            '\n<div data-controller="w-dropdown" class="w-dropdown" {attrs} >\n'
            '<button type="button" class="w-dropdown__toggle w-dropdown__toggle--icon"'
            ' data-w-dropdown-target="toggle"{aria_label}>\n{icon}\n</button>\n'
            '<div data-w-dropdown-target="content" class="w-dropdown__content" hidden>\n'
            "{entries}\n</div>\n</div>\n",
            attrs=self.base_attrs_string,
            aria_label=aria_label,
            icon=icon_html(self.icon_name, "w-dropdown__toggle-icon"),
            entries=entries,
        )


@hooks.register("construct_page_listing_buttons")
def draw_notice_menus_directly(buttons, page, user, context=None):
    if isinstance(page, DecisionNoticePage):
        for position, button in enumerate(buttons):
            if type(button) is ButtonWithDropdownFromHook:
                buttons[position] = NoticeMenuDropdown.taking_over(button)


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
