"""Admin wiring for the failure-lessons library: its menu entry and listing, guarded approval."""

from django.utils.functional import cached_property
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.pages import PageListingViewSet, PageViewSet

from . import views
from .models import LessonPage


class LessonMenuItem(MenuItem):
    """Shown to the roles that work on the library (lessons' 0002 migration grants it)."""

    def is_shown(self, request):
        return request.user.has_perm("lessons.change_lessonpage")


class LessonViewSet(PageListingViewSet):
    """失败经验总结 in their own admin menu: a flat listing with field, programme and period."""

    model = LessonPage
    icon = "doc-full"
    menu_label = "失败经验总结"
    add_to_admin_menu = True
    menu_order = 160
    columns = [
        *PageListingViewSet.columns,
        Column("field_of_study", label="学科领域"),
        Column("programme_label", label="计划类别"),
        Column(
            "period",
            label="项目起止年份",
            accessor=lambda page: f"{page.start_year}–{page.end_year}",
        ),
    ]

    @cached_property
    def menu_item_class(self):
        return LessonMenuItem


class LessonPageViewSet(PageViewSet):
    """The editing views of a report, with guarded approval (no menu entry of its own)."""

    model = LessonPage
    workflow_action_view_class = views.GuardedWorkflowActionView


@hooks.register("register_admin_viewset")
def register_lesson_viewset():
    return LessonViewSet("failure_lessons")


@hooks.register("register_admin_viewset")
def register_lesson_page_viewset():
    return LessonPageViewSet("lesson_pages")
