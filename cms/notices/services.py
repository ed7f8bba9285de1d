"""Actions on notices that are not edits: finalise, withdraw, start a correction, and record
the state changes that time alone brings. Each runs in one transaction, checks the rules,
and leaves an entry in Wagtail's audit log."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision

from cms.core.tasks import request_portal_rebuild
from cms.domain.dates import format_date_en, format_date_zh, local_date
from cms.domain.errors import GuardError
from cms.record import services as record
from cms.record.models import RecordEvent, RecordKind

from . import rules
from .guards import NoticeGuardError, publish_errors
from .models import DecisionNoticePage, ExemptionMark
from .publication import record_data

#: Functions that count a notice's unanswered objections; the objections app adds its own.
UNANSWERED_OBJECTION_COUNTERS: list[Callable[[DecisionNoticePage], int]] = []

#: The public event a change of recorded state is, for a notice that is live.
STATE_EVENTS = {
    rules.NoticeState.UNDER_PUBLICITY: RecordEvent.WINDOW_OPENED,
    rules.NoticeState.CLOSED: RecordEvent.WINDOW_CLOSED,
    rules.NoticeState.CORRECTED: RecordEvent.CORRECTED,
    rules.NoticeState.WITHDRAWN: RecordEvent.WITHDRAWN,
    rules.NoticeState.FINALISED: RecordEvent.FINALISED,
}


def correction_chain(notice: DecisionNoticePage) -> list[DecisionNoticePage]:
    """The notice and every notice it corrects, back to the first."""
    chain, seen = [notice], {notice.pk}
    while chain[-1].corrects_id and chain[-1].corrects_id not in seen:
        seen.add(chain[-1].corrects_id)
        chain.append(DecisionNoticePage.objects.get(pk=chain[-1].corrects_id))
    return chain


def unanswered_objections(notice: DecisionNoticePage) -> int:
    """Unanswered objections on the notice and on every notice it corrects."""
    counters = UNANSWERED_OBJECTION_COUNTERS
    return sum(counter(link) for link in correction_chain(notice) for counter in counters)


def went_live_on(notice: DecisionNoticePage):
    """The Asia/Shanghai date the public record shows the notice going live, or None."""
    events = (RecordEvent.PUBLISHED, RecordEvent.CORRECTION_PUBLISHED)
    for entry in record.entries_for(RecordKind.NOTICE, notice.notice_number):
        if entry.event in events:
            return local_date(entry.recorded_at)
    return None


def finalise_errors(notice: DecisionNoticePage, now: datetime) -> list[GuardError]:
    """Every reason the notice cannot be finalised now, in the order to act on them: what the
    confirm page lists before the click and what the action refuses with."""
    return rules.finalise_errors(
        notice.publicity_window,
        now,
        unanswered_objections(notice),
        went_live_on=went_live_on(notice),
        state=notice.state_at(now),
    )


@transaction.atomic
def finalise_notice(notice: DecisionNoticePage, user, now: datetime | None = None) -> list:
    """认定结果: records the final results and the exemption marks for the project system."""
    now = now or timezone.now()
    notice = DecisionNoticePage.objects.select_for_update().get(pk=notice.pk)
    if errors := finalise_errors(notice, now):
        raise NoticeGuardError(errors)
    notice.finalised_at = now
    notice.save(update_fields=["finalised_at"])
    decision_date = local_date(now)
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


def withdraw_errors(
    notice: DecisionNoticePage, now: datetime, reason: str | None = None
) -> list[GuardError]:
    """Every reason the notice cannot be withdrawn now; with ``reason``, also an empty one."""
    return rules.withdraw_errors(notice.state_at(now), reason)


@transaction.atomic
def withdraw_notice(notice: DecisionNoticePage, user, reason: str, now: datetime | None = None):
    """撤回: the notice stays readable, marked withdrawn, with the reason."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    notice = DecisionNoticePage.objects.select_for_update().get(pk=notice.pk)
    if errors := withdraw_errors(notice, now, reason):
        raise NoticeGuardError(errors)
    notice.withdrawn_at, notice.withdrawal_reason = now, reason
    notice.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    # A revision approved for a later go-live must never go live now.
    cancelled = notice.revisions.filter(approved_go_live_at__isnull=False).update(
        approved_go_live_at=None
    )
    if cancelled:
        DecisionNoticePage.objects.filter(pk=notice.pk).update(go_live_at=None)
    log(instance=notice, action="notices.withdraw", user=user, data={"reason": reason})
    record_state(notice, now, user=user)
    request_portal_rebuild(f"撤回公告：{notice.notice_number}")
    return notice


def open_corrections(original: DecisionNoticePage) -> list[str]:
    """Numbers of the corrections of ``original`` that are not live yet (at most one may be)."""
    return list(
        original.corrections.filter(live=False, withdrawn_at__isnull=True).values_list(
            "notice_number", flat=True
        )
    )


def correction_errors(original: DecisionNoticePage, now: datetime, start=None) -> list[GuardError]:
    """Every reason a correction of ``original`` (starting on ``start``, if given) cannot start
    now."""
    return rules.correction_errors(original.state_at(now), open_corrections(original), now, start)


@transaction.atomic
def start_correction(original: DecisionNoticePage, user, now: datetime | None = None, start=None):
    """更正公告: a new draft notice carrying the original's items, linked to it, whose window
    starts on ``start`` (today by default, never earlier). At most one is open at a time.

    The original stays as published; once the correction is approved and published, the
    original reads as corrected and the correction's items have a fresh window of their own.
    """
    now = now or timezone.now()
    original = DecisionNoticePage.objects.select_for_update().get(pk=original.pk)
    start = start or local_date(now)
    if errors := correction_errors(original, now, start):
        raise NoticeGuardError(errors)
    sequence = original.corrections.count() + 1
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


def record_state(
    notice: DecisionNoticePage, now: datetime, user=None, published: bool = False
) -> bool:
    """Logs the notice's state if it differs from the one last recorded, and appends the public
    events to the public record: ``published`` (when told) and the change of state, for a
    notice that is live."""
    state = notice.state_at(now)
    changed = notice.recorded_state != state.value
    if changed:
        previous = notice.recorded_state or None
        DecisionNoticePage.objects.filter(pk=notice.pk).update(recorded_state=state.value)
        notice.recorded_state = state.value
        log(
            instance=notice,
            action="notices.state_change",
            user=user,
            data={"from": previous, "to": state.value, "label": state.label},
        )
    if notice.live:
        events = []
        if published:
            corrects = notice.corrects_id is not None
            events.append(RecordEvent.CORRECTION_PUBLISHED if corrects else RecordEvent.PUBLISHED)
        if changed and state in STATE_EVENTS:
            events.append(STATE_EVENTS[state])
        if events:
            data = record_data(notice)
            for event in events:
                record.append(RecordKind.NOTICE, notice.notice_number, event, data, now)
    return changed


def hold_late_scheduled(now: datetime | None = None) -> list[DecisionNoticePage]:
    """Approved notices whose go-live has come but whose start date has passed (the scheduler
    did not run that day) are not published late with a short window: their approval is
    cancelled and the notice says why, for editors to set a new date and submit it again."""
    now = now or timezone.now()
    held = []
    notice_type = ContentType.objects.get_for_model(DecisionNoticePage)
    due = Revision.objects.filter(approved_go_live_at__lte=now, content_type=notice_type)
    for revision in due:
        notice = revision.as_object()
        if not isinstance(notice, DecisionNoticePage):
            continue
        if not (errors := publish_errors(notice, now, was_published=notice.live)):
            continue
        with transaction.atomic():
            Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=None)
            reason = "；".join(error.message for error in errors)
            if any(error.code == "start_in_past" for error in errors):
                window = notice.publicity_window
                reason = rules.guard_error(
                    "scheduled_start_passed",
                    start=format_date_zh(window.start_date),
                    today=format_date_zh(local_date(now)),
                    start_en=format_date_en(window.start_date),
                    today_en=format_date_en(local_date(now)),
                ).message
            DecisionNoticePage.objects.filter(pk=notice.pk).update(
                reapproval_reason=reason, go_live_at=None
            )
            log(instance=notice, action="notices.reapproval_needed", data={"reason": reason})
        held.append(notice)
    return held


def record_state_changes(now: datetime | None = None) -> list[DecisionNoticePage]:
    """The state changes time brought (a window opening or closing), each logged once."""
    now = now or timezone.now()
    changed = []
    for notice in DecisionNoticePage.objects.all().specific():
        with transaction.atomic():
            if record_state(notice, now):
                changed.append(notice)
    return changed
