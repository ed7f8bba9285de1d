"""Admin views for failure reports."""

from cms.notices.views import GuardedWorkflowActionView as NoticeApprovalView

from .models import LessonPage


class GuardedWorkflowActionView(NoticeApprovalView):
    """Refuses to approve a report that is not de-identified (e.g. written through the API, or
    whose related notice changed since), with why, before anything is recorded."""

    def approval_errors(self, page):
        if isinstance(page, LessonPage):
            return page.deidentification_errors()
        return super().approval_errors(page)
