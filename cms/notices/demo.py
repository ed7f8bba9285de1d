"""Sample notices (clearly labelled 示例) in every state, so a newcomer sees the whole lifecycle.

Past windows are made by publishing each notice on its own (past) start day, as if it were that
day (:func:`cms.core.clock.travel_to`): the guards do not let anyone publish with a start date in
the past, and the public record shows each sample going live on its first day.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cms.core.clock import travel_to
from cms.domain.clauses import Decision
from cms.domain.dates import local_date

from .guards import NoticeGuardError
from .models import DecisionItem, DecisionNoticePage, NoticeIndexPage
from .services import finalise_notice, record_state, start_correction, withdraw_notice

#: Every demo notice's number starts so; nothing with it reaches the marks export.
DEMO_NUMBER_PREFIX = "示例-"
CONTACT = {
    "contact_office": "浙江省科学技术厅监督评估处（示例）",
    "contact_phone": "0571-00000000",
    "contact_email": "objection@example.invalid",
    "contact_address": "浙江省杭州市（示例地址，请勿寄送）",
}
INTRODUCTION = (
    "根据《关于构建科技创新容错免责机制的实施意见（试行）》，经调查核实、专家评审和集体审定，"
    "现将下列事项的认定结果予以公示。公示期内如有异议，请以书面形式实名向受理部门提出。"
    "【本公告为演示用示例，不是真实认定结果。】"
)


def _exempted(code, name, unit, leader, grounds, programme="key_rd"):
    return DecisionItem(
        project_code=code,
        project_name=name,
        programme=programme,
        undertaking_unit=unit,
        project_leader=leader,
        decision=Decision.EXEMPTED,
        grounds=grounds,
        panel_size=7,
        technical_members=5,
        financial_members=2,
    )


def _rejected(code, name, unit, leader, reasons, explanation, programme="key_rd"):
    return DecisionItem(
        project_code=code,
        project_name=name,
        programme=programme,
        undertaking_unit=unit,
        project_leader=leader,
        decision=Decision.REJECTED,
        reasons=reasons,
        explanation=explanation,
    )


def _items(prefix: str, programme: str = "key_rd") -> list[DecisionItem]:
    return [
        _exempted(f"{prefix}-01", "新型固态电解质界面调控关键技术研究（示例）", "示例大学",
                  "王示例", ["A1"], programme),
        _exempted(f"{prefix}-02", "高通量药物筛选平台产业化（示例）", "示例生物科技有限公司",
                  "陈示例", ["A4"], programme),
        _rejected(f"{prefix}-03", "智能传感器芯片研发（示例）", "示例研究院", "李示例",
                  ["X3", "diligence_not_shown"],
                  "经调查核实，项目原始实验记录不完整，部分数据无法溯源，未能证明已履行勤勉尽责义务；"
                  "且存在《科学技术活动违规行为处理暂行规定》所列违规行为。（示例）", programme),
    ]  # fmt: skip


def _notice(index, number: str, title: str, start, items, **extra) -> DecisionNoticePage:
    notice = DecisionNoticePage(
        title=f"【示例】{title}",
        slug=f"demo-{number.lower()}",
        notice_number=f"{DEMO_NUMBER_PREFIX}{number}",
        publicity_start=start,
        introduction=INTRODUCTION,
        live=False,
        **CONTACT,
        **extra,
    )
    for item in items:
        notice.items.add(item)
    index.add_child(instance=notice)
    return notice


def _publish(notice: DecisionNoticePage, started_days_ago: int = 0) -> DecisionNoticePage:
    """Publishes the notice now, or ``started_days_ago`` on its start day, a minute into it."""
    now = timezone.now()
    if started_days_ago:
        with travel_to(notice.publicity_window.opens_at + timedelta(minutes=1)):
            notice.save_revision().publish()
    else:
        notice.save_revision().publish()
    notice.refresh_from_db()
    record_state(notice, now)
    return notice


def _published(index, today, number, title, prefix, programme="key_rd", started_days_ago=0):
    start = today - timedelta(days=started_days_ago)
    notice = _notice(index, number, title, start, _items(prefix, programme))
    return _publish(notice, started_days_ago)


def _batch(year: int, ordinal: str) -> str:
    return f"关于{year}年第{ordinal}批科技创新容错免责认定结果的公示"


def _today():
    return local_date(timezone.now())


def load_demo_notices(user=None) -> list[DecisionNoticePage]:
    """Create the sample notices, once. Their dates are worked out from today at the start; if
    midnight in Beijing passes while they load, the publish guard refuses a start date that is
    now yesterday, and the load (one transaction, rolled back) runs once more from the new day."""
    today = _today()
    try:
        return _load(user, today)
    except NoticeGuardError:
        if _today() == today:
            raise
        return _load(user, _today())


@transaction.atomic
def _load(user, today) -> list[DecisionNoticePage]:
    index = NoticeIndexPage.objects.get()
    if DecisionNoticePage.objects.filter(notice_number__startswith=DEMO_NUMBER_PREFIX).exists():
        return []
    year = today.year
    foundation = f"关于{year}年省基础公益研究专项容错免责认定结果的公示"
    made = [
        _published(index, today, "2026-01", _batch(year, "一"), "DEMO-A"),
        _published(index, today, "2026-02", foundation, "DEMO-B", "basic_public_welfare", 3),
        _published(index, today, "2026-03", _batch(year, "二"), "DEMO-C", started_days_ago=10),
    ]

    final = _published(index, today, "2025-09", _batch(year - 1, "三"), "DEMO-D",
                       started_days_ago=30)  # fmt: skip
    finalise_notice(final, user)
    final.refresh_from_db()
    made.append(final)

    original = _published(index, today, "2026-04", _batch(year, "三"), "DEMO-E",
                          started_days_ago=5)  # fmt: skip
    correction = start_correction(original, user)
    correction.title = f"【示例】关于{year}年第三批科技创新容错免责认定结果的更正公告"
    correction.publicity_start = today
    correction.correction_note = (
        "原公示事项DEMO-E-02的项目承担单位名称有误，现予更正；"
        "更正事项自本公告发布之日起重新公示7天。（示例）"
    )
    correction.items.first().delete()
    made += [original, _publish(correction)]

    withdrawn = _published(index, today, "2026-05", _batch(year, "四"), "DEMO-F",
                           started_days_ago=2)  # fmt: skip
    withdraw_notice(
        withdrawn, user, "公示期间发现事项材料需补充核实，本公告撤回，核实后另行公示。（示例）"
    )
    withdrawn.refresh_from_db()
    made.append(withdrawn)

    # Not live yet: scheduled (approved, goes live in 3 days), in review, and a draft.
    def unpublished(number, ordinal, prefix, in_days, suffix=""):
        title = _batch(year, ordinal) + suffix
        return _notice(index, number, title, today + timedelta(days=in_days), _items(prefix))

    scheduled = unpublished("2026-06", "五", "DEMO-G", 3)
    scheduled.save_revision().publish()
    in_review = unpublished("2026-07", "六", "DEMO-H", 5)
    in_review.save_revision(user=user)
    in_review.get_workflow().start(in_review, user)
    draft = unpublished("2026-08", "七", "DEMO-J", 7, "（草稿）")
    draft.save_revision(user=user)
    return [*made, scheduled, in_review, draft]
