"""Actions on notices that are not edits: finalise, withdraw, start a correction, and record
the state changes that time alone brings. Each runs in one transaction, checks the rules,
and leaves an entry in Wagtail's audit log."""

from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.core.tasks import request_portal_rebuild

from . import rules
from .guards import NoticeGuardError
from .models import DecisionNoticePage, ExemptionMark

#: Functions that count a notice's unanswered objections; the objections app adds its own.
UNANSWERED_OBJECTION_COUNTERS: list[Callable[[DecisionNoticePage], int]] = []


def unanswered_objections(notice: DecisionNoticePage) -> int:
    return sum(counter(notice) for counter in UNANSWERED_OBJECTION_COUNTERS)


def _guard(check: Callable[[], None]) -> None:
    try:
        check()
    except rules.GuardError as error:
        raise NoticeGuardError([error]) from error


@transaction.atomic
def finalise_notice(notice: DecisionNoticePage, user, now: datetime | None = None) -> list:
    """认定结果: records the final results and the exemption marks for the project system."""
    now = now or timezone.now()
    notice = DecisionNoticePage.objects.select_for_update().get(pk=notice.pk)
    # The window and objections first: their messages say what to wait for.
    _guard(
        lambda: rules.check_finalise(notice.publicity_window, now, unanswered_objections(notice))
    )
    _guard(lambda: rules.check_transition(notice.state_at(now), rules.NoticeState.FINALISED))
    notice.finalised_at = now
    notice.save(update_fields=["finalised_at"])
    decision_date = rules.local_date(now)
    marks = [
        ExemptionMark.objects.create(
            notice=notice,
            notice_number=notice.notice_number,
            project_code=item.project_code,
            decision=item.decision,
            decision_date=decision_date,
        )
        for item in notice.items.all()
    ]
    log(instance=notice, action="notices.finalise", user=user, data={"marks": len(marks)})
    record_state(notice, now, user=user)
    request_portal_rebuild(f"认定结果确认：{notice.notice_number}")
    return marks


@transaction.atomic
def withdraw_notice(notice: DecisionNoticePage, user, reason: str, now: datetime | None = None):
    """撤回: the notice stays readable, marked withdrawn, with the reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise NoticeGuardError([rules.GuardError.of("withdrawal_needs_reason", field="reason")])
    notice = DecisionNoticePage.objects.select_for_update().get(pk=notice.pk)
    _guard(lambda: rules.check_transition(notice.state_at(now), rules.NoticeState.WITHDRAWN))
    notice.withdrawn_at, notice.withdrawal_reason = now, reason
    notice.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    log(instance=notice, action="notices.withdraw", user=user, data={"reason": reason})
    record_state(notice, now, user=user)
    request_portal_rebuild(f"撤回公告：{notice.notice_number}")
    return notice


@transaction.atomic
def start_correction(original: DecisionNoticePage, user, now: datetime | None = None):
    """更正公告: a new draft notice carrying the original's items, linked to it.

    The original stays as published; once the correction is approved and published, the
    original reads as corrected and the correction's items have a fresh window of their own.
    """
    now = now or timezone.now()
    _guard(lambda: rules.check_transition(original.state_at(now), rules.NoticeState.CORRECTED))
    sequence = original.corrections.count() + 1
    start = rules.local_date(now) + timedelta(days=1)
    correction = DecisionNoticePage(
        title=f"关于《{original.title}》的更正公告",
        slug=f"{original.slug}-correction-{sequence}",
        notice_number=f"{original.notice_number}-更正{sequence}",
        publicity_start=start,
        publicity_days=original.publicity_days,
        introduction=original.introduction,
        contact_office=original.contact_office,
        contact_phone=original.contact_phone,
        contact_email=original.contact_email,
        contact_address=original.contact_address,
        corrects=original,
        live=False,
    )
    for item in original.items.all():
        item.pk = None
        item.id = None
        correction.items.add(item)
    original.get_parent().add_child(instance=correction)
    correction.save_revision(user=user, log_action=True)
    log(
        instance=original,
        action="notices.correction_started",
        user=user,
        data={"correction_id": correction.pk},
    )
    return correction


def record_state(notice: DecisionNoticePage, now: datetime, user=None) -> bool:
    """Logs the notice's state if it differs from the one last recorded."""
    state = notice.state_at(now)
    if notice.recorded_state == state.value:
        return False
    previous = notice.recorded_state or None
    DecisionNoticePage.objects.filter(pk=notice.pk).update(recorded_state=state.value)
    notice.recorded_state = state.value
    log(
        instance=notice,
        action="notices.state_change",
        user=user,
        data={"from": previous, "to": state.value, "label": state.label},
    )
    return True


def record_state_changes(now: datetime | None = None) -> list[DecisionNoticePage]:
    """The state changes time brought (a window opening or closing), each logged once."""
    now = now or timezone.now()
    changed = []
    for notice in DecisionNoticePage.objects.all().specific():
        with transaction.atomic():
            if record_state(notice, now):
                changed.append(notice)
    return changed
