"""Which publications are alert events, on which topics, and what an alert says of them.

- a decision notice going live (a correction notice too): 新发布的公示公告, recorded with the
  notice's publication in the public record;
- a notice's results confirmed (认定结果): 予以免责 for its exempted items, 不予认定 for its
  rejected ones;
- a policy, 申报指南 or FAQ page published (first or again): 政策文件和申报指南的变动;
- a failure report's first publication: 失败经验总结.

Each is recorded once, in the transaction that publishes it; it is sent only after a portal
build that exported it has succeeded (:mod:`cms.alerts.services`). Only what the portal shows
goes into an alert."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from cms.domain.clauses import Decision
from cms.guidance.models import FaqPage, GuidancePage
from cms.lessons.models import LessonPage
from cms.notices.models import DecisionNoticePage
from cms.policies.models import PolicyPage
from cms.record.models import RecordEntry, RecordEvent, RecordKind

from .models import AlertEvent
from .rules import Topic

ITEMS_LISTED = 20  # items named in one alert; the notice's page lists them all


def record(key: str, topic: Topic, page, title: str, summary: str) -> AlertEvent | None:
    """Records the event once (a repeated signal, or a publication retried, records nothing
    more)."""
    if AlertEvent.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return AlertEvent.objects.create(
                key=key[:200],
                topic=topic,
                page_id=page.pk,
                title=title[:300],
                summary=summary,
                url=page.portal_url(),
                recorded_at=timezone.now(),
            )
    except IntegrityError:
        return None  # recorded meanwhile by a concurrent publication of the same thing


def _items_text(items, label: str) -> str:
    lines = [f"- {item.project_code} {item.project_name}" for item in items[:ITEMS_LISTED]]
    if len(items) > ITEMS_LISTED:
        lines.append(f"……共{len(items)}项，详见公告。")
    return f"{label}：\n" + "\n".join(lines)


def notice_published(notice: DecisionNoticePage) -> None:
    items = list(notice.items.all())
    exempted = sum(1 for item in items if item.decision == Decision.EXEMPTED)
    rejected = sum(1 for item in items if item.decision == Decision.REJECTED)
    lines = [f"公告编号：{notice.notice_number}", notice.publicity_window.label]
    if notice.corrects_id:
        lines.append(f"本公告为更正公告，更正的是《{notice.corrects.title}》。")
    lines.append(f"认定事项{len(items)}项（予以免责{exempted}项，不予认定{rejected}项）。")
    lines.append("公示期内，任何单位和个人均可对认定事项实名提出异议。")
    record(f"notice-published:{notice.pk}", Topic.NOTICES, notice, notice.title, "\n".join(lines))


def notice_finalised(notice: DecisionNoticePage) -> None:
    items = list(notice.items.all())
    for topic, decision in ((Topic.EXEMPTIONS, Decision.EXEMPTED),
                            (Topic.REJECTIONS, Decision.REJECTED)):  # fmt: skip
        chosen = [item for item in items if item.decision == decision]
        if not chosen:
            continue
        listed = _items_text(chosen, f"{decision.label}事项{len(chosen)}项")
        summary = f"公告编号：{notice.notice_number}\n认定结果已确认。\n{listed}"
        title = f"认定结果：{notice.title}"
        record(f"notice-finalised:{notice.pk}:{topic.value}", topic, notice, title, summary)


def record_entry_appended(entry: RecordEntry) -> None:
    """A notice's publication or finalisation, as the public record has it."""
    if entry.kind != RecordKind.NOTICE:
        return
    notice = DecisionNoticePage.objects.filter(notice_number=entry.subject).first()
    if notice is None:
        return
    if entry.event in (RecordEvent.PUBLISHED, RecordEvent.CORRECTION_PUBLISHED):
        notice_published(notice)
    elif entry.event == RecordEvent.FINALISED:
        notice_finalised(notice)


def page_published(page, revision) -> None:
    """A policy, guidance or FAQ page published; a failure report published for the first time."""
    first = page.first_published_at == page.last_published_at
    revision_id = getattr(revision, "pk", None) or "live"
    if isinstance(page, LessonPage):
        if first:
            lines = [f"学科领域：{page.field_of_study}；计划类别：{page.programme_label}。"]
            lines.append(page.summary)
            record(f"lesson:{page.pk}", Topic.LESSONS, page, page.title, "\n".join(lines))
        return
    if isinstance(page, PolicyPage):
        what = f"政策文件{'发布' if first else '更新'}（{page.status_label}）"
    elif isinstance(page, GuidancePage):
        what = "申报指南发布" if first else "申报指南更新"
    elif isinstance(page, FaqPage):
        what = "常见问题发布" if first else "常见问题更新"
    else:
        return
    key = f"page:{page.pk}:{revision_id}"
    record(key, Topic.POLICIES, page, page.title, f"{what}。")
