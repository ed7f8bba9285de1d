"""The policy's guards applied to a notice as stored: one list of errors for the admin form,
the approval step, the publish action and the API alike."""

from datetime import datetime

from django.core.exceptions import PermissionDenied

from . import rules


def publish_errors(notice, now: datetime) -> list[rules.GuardError]:
    """Why this notice may not be approved or published now (empty when it may)."""
    errors: list[rules.GuardError] = []
    if notice.first_published_at is not None:
        errors.append(rules.GuardError.of("published_is_final"))
    if notice.publicity_start is not None:
        try:
            rules.check_publish_start(notice.publicity_start, now)
        except rules.GuardError as error:
            errors.append(error)
    items = notice.item_facts()
    errors.extend(rules.check_items(items))
    if items:
        try:
            rules.handling_body_for(notice.programmes())
        except rules.GuardError as error:
            errors.append(error)
    return errors


class NoticeGuardError(PermissionDenied):
    """Raised where a guard stops an action; carries every :class:`rules.GuardError`."""

    def __init__(self, errors: list[rules.GuardError]):
        self.errors = errors
        super().__init__("；".join(error.message for error in errors))


def ensure_publishable(notice, now: datetime) -> None:
    if errors := publish_errors(notice, now):
        raise NoticeGuardError(errors)
