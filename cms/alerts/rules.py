"""E-mail alerts (订阅提醒) as plain rules: what one can subscribe to, how often, when a daily
digest is due (a fixed time of day, Asia/Shanghai), and when a confirmation link has expired."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Final

from cms.domain.dates import PUBLICITY_TZ, format_date_zh, require_aware
from cms.domain.labels import LabelledEnum


class Topic(LabelledEnum):
    """What a subscriber is told about; the values are the portal's feed names."""

    NOTICES = "notices", "新发布的公示公告", "new notices under publicity"
    EXEMPTIONS = "exemptions", "予以免责的认定结果", "exemptions (final results)"
    REJECTIONS = "rejections", "不予认定的认定结果", "rejections (final results)"
    POLICIES = "policies", "政策文件和申报指南的变动", "changes to the policy and guidance"
    LESSONS = "lessons", "失败经验总结", "failure reports"


class Frequency(LabelledEnum):
    IMMEDIATE = "immediate", "有更新即发送", "as it happens"
    DAILY = "daily", "每日汇总一封", "a daily digest"


DEFAULT_DIGEST_TIME: Final = time(8, 0)


def parse_time_of_day(text: str) -> time:
    """'08:00' → time(8, 0); ValueError for anything else."""
    hours, _colon, minutes = text.strip().partition(":")
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        raise ValueError(f"a time of day as HH:MM is required, not {text!r}")
    if len(minutes) != 2 or not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
        raise ValueError(f"a time of day as HH:MM is required, not {text!r}")
    return time(int(hours), int(minutes))


def digest_slot(now: datetime, at: time) -> datetime:
    """The last instant at or before ``now`` when the daily digest was due: ``at`` on the
    Asia/Shanghai calendar. At 07:59 Beijing time with ``at`` 08:00, yesterday's 08:00."""
    require_aware(now)
    local = now.astimezone(PUBLICITY_TZ)
    slot = datetime.combine(local.date(), at, tzinfo=PUBLICITY_TZ)
    return slot if slot <= local else slot - timedelta(days=1)


def slot_date(slot: datetime) -> date:
    return slot.astimezone(PUBLICITY_TZ).date()


def confirmation_expires_at(sent_at: datetime, days: int) -> datetime:
    return sent_at + timedelta(days=days)


def confirmation_expired(sent_at: datetime, now: datetime, days: int) -> bool:
    """A confirmation link works for ``days`` days after the mail that carries it was queued."""
    return now >= confirmation_expires_at(sent_at, days)


def normalise_address(address: str) -> str:
    """One subscription per mailbox: addresses compare without case and surrounding space."""
    return address.strip().lower()


def topics_in_order(values: Iterable[str]) -> list[Topic]:
    """The known topics among ``values``, each once, in :class:`Topic` order."""
    chosen = set(values)
    return [topic for topic in Topic if topic.value in chosen]


def topics_text(values: Iterable[str]) -> str:
    """'新发布的公示公告、失败经验总结'."""
    return "、".join(topic.label for topic in topics_in_order(values))


def local_time_text(at: datetime) -> str:
    """'2026年3月3日 08:00（北京时间）'."""
    local = at.astimezone(PUBLICITY_TZ)
    return f"{format_date_zh(local.date())} {local:%H:%M}（北京时间）"
