"""Admin views for failure reports."""

from django.contrib import messages
from django.shortcuts import redirect
from wagtail.admin.views.pages.workflow import WorkflowActionView

from .models import LessonPage


class GuardedWorkflowActionView(WorkflowActionView):
    """Wagtail's workflow action, refusing to approve a report that is not de-identified (e.g.
    written through the API, or whose related notice changed since), with why, before anything
    is recorded."""

    def post(self, request, *args, **kwargs):
        if self.action_name == "approve":
            lesson = self.task_state.revision.as_object()
            if isinstance(lesson, LessonPage) and (errors := lesson.deidentification_errors()):
                for error in errors:
                    messages.error(request, f"不能通过审定：{error.message}")
                if request.headers.get("x-requested-with") == "XMLHttpRequest":
                    return self.render_modal_json(
                        request, {"step": "success", "redirect": self.redirect_url}
                    )
                return redirect(self.redirect_url)
        return super().post(request, *args, **kwargs)
