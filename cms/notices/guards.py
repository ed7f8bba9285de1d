"""The policy's guards applied to a notice as stored: one list of errors for the admin form,
the approval step, the publish action and the API alike."""

from datetime import datetime

from cms.core.gate import GateError
from cms.domain.errors import GuardError
from cms.domain.programmes import handling_body_for

from . import rules


def publish_errors(notice, now: datetime, *, was_published: bool | None = None) -> list[GuardError]:
    """Why this notice may not be approved or published now (empty when it may).

    ``was_published`` says whether it had been published before this publication; by default
    the notice's own ``first_published_at`` tells.
    """
    if was_published is None:
        was_published = notice.first_published_at is not None
    errors: list[GuardError] = []
    if was_published:
        errors.append(rules.guard_error("published_is_final"))
    if notice.withdrawn_at is not None:
        errors.append(rules.guard_error("withdrawn_not_publishable"))
    if notice.publicity_start is not None:
        errors.extend(rules.publish_start_errors(notice.publicity_start, now))
    items = notice.item_facts()
    errors.extend(rules.check_items(items))
    if items:
        try:
            handling_body_for(notice.programmes())
        except GuardError as error:
            errors.append(error)
    return errors


class NoticeGuardError(GateError):
    """Raised where a guard stops an action on a notice; carries every :class:`GuardError`."""


def ensure_publishable(notice, now: datetime, *, was_published: bool | None = None) -> None:
    if errors := publish_errors(notice, now, was_published=was_published):
        raise NoticeGuardError(errors)
