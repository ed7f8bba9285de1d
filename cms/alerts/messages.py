"""What alert mails say (Chinese, plain text) and the headers they carry.

Every mail to a confirmed subscriber carries one-click unsubscribe (RFC 8058): a
``List-Unsubscribe`` header with its HTTPS link (in production) and ``List-Unsubscribe-Post:
List-Unsubscribe=One-Click``, so that a mail client's 退订 button unsubscribes with one POST; the
same link in the text opens a page with a button, and works without JavaScript. The link to
manage the subscription (topics, frequency) needs no account."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings

from cms.outbox.services import Draft

from . import rules, tokens
from .models import AlertEvent, Subscription
from .rules import Frequency, Topic

SITE = "科技创新容错免责公示平台"
API_PATH = "/api/alerts/"
#: What the subject says an alert is about.
SUBJECT_TAGS = {
    Topic.NOTICES: "新公示",
    Topic.EXEMPTIONS: "予以免责",
    Topic.REJECTIONS: "不予认定",
    Topic.POLICIES: "政策文件变动",
    Topic.LESSONS: "失败经验总结",
}
PURPOSE_CONFIRM, PURPOSE_ALREADY = "订阅确认", "订阅提示"
PURPOSE_ALERT, PURPOSE_DIGEST = "订阅提醒", "每日汇总提醒"


def link(subscription: Subscription, purpose: str) -> str:
    """The absolute link for ``purpose`` (confirm, manage, unsubscribe) on the CMS."""
    token = tokens.make(subscription.public_id, purpose)
    return f"{settings.CMS_BASE_URL}{API_PATH}{purpose}/{token}/"


def list_headers(subscription: Subscription) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{link(subscription, tokens.UNSUBSCRIBE)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def frequency_text(frequency: str) -> str:
    if frequency == Frequency.DAILY:
        return f"{Frequency.DAILY.label}（每天{settings.ALERTS_DIGEST_TIME}，北京时间）"
    return Frequency.IMMEDIATE.label


def _footer(subscription: Subscription) -> str:
    return (
        "——\n"
        f"您收到本邮件，是因为您在{SITE}订阅了电子邮件提醒。\n"
        f"订阅内容：{rules.topics_text(subscription.topics)}\n"
        f"发送频率：{frequency_text(subscription.frequency)}\n"
        f"更改订阅内容或频率：{link(subscription, tokens.MANAGE)}\n"
        f"退订（删除您的邮箱地址）：{link(subscription, tokens.UNSUBSCRIBE)}\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )


def _draft(subscription: Subscription, key: str, purpose: str, subject: str, body: str,
           *, listed: bool = True) -> Draft:  # fmt: skip
    return Draft(
        to=subscription.email,
        subject=subject,
        body=body,
        dedupe_key=key,
        purpose=purpose,
        headers=list_headers(subscription) if listed else {},
        owner=subscription.owner,
    )


def confirmation(subscription: Subscription, key: str, expires_at: datetime) -> Draft:
    body = (
        "您好：\n\n"
        f"有人（很可能是您本人）用本邮箱地址订阅了{SITE}的电子邮件提醒：\n"
        f"订阅内容：{rules.topics_text(subscription.topics)}\n"
        f"发送频率：{frequency_text(subscription.frequency)}\n\n"
        f"请在{rules.local_time_text(expires_at)}前打开下面的链接确认订阅：\n"
        f"{link(subscription, tokens.CONFIRM)}\n\n"
        "确认之前，我们不会向您发送任何提醒。如果不是您本人订阅，请忽略本邮件：未确认的订阅"
        "在链接过期后删除，本邮箱地址随之删除。\n\n"
        "本邮件由系统自动发送，请勿直接回复。\n"
    )
    subject = f"请确认订阅{SITE}的电子邮件提醒"
    return _draft(subscription, key, PURPOSE_CONFIRM, subject, body, listed=False)


def already_subscribed(subscription: Subscription, key: str) -> Draft:
    body = (
        "您好：\n\n"
        f"有人（很可能是您本人）再次用本邮箱地址订阅了{SITE}的电子邮件提醒。本邮箱已经订阅，"
        "订阅保持不变，无需再次确认。如需更改订阅内容或频率，或者退订，请使用下面的链接。"
        "如果不是您本人操作，请忽略本邮件。\n\n" + _footer(subscription)
    )
    subject = f"您已订阅{SITE}的电子邮件提醒"
    return _draft(subscription, key, PURPOSE_ALREADY, subject, body)


def _event_text(event: AlertEvent) -> str:
    summary = f"{event.summary}\n" if event.summary else ""
    return f"{event.title}\n{summary}查看详情：{event.url}\n"


def alert(subscription: Subscription, event: AlertEvent) -> Draft:
    topic = Topic(event.topic)
    subject = f"【{SUBJECT_TAGS[topic]}】{event.title}"
    body = f"{topic.label}：\n\n{_event_text(event)}\n{_footer(subscription)}"
    key = f"alerts.event:{subscription.public_id}:{event.pk}"
    return _draft(subscription, key, PURPOSE_ALERT, subject, body)


def digest(subscription: Subscription, events: Sequence[AlertEvent], slot: datetime) -> Draft:
    """One mail for the day's events, grouped by topic, at the digest time (``slot``)."""
    day = rules.slot_date(slot)
    parts = []
    for topic in Topic:
        mine = [event for event in events if event.topic == topic]
        if mine:
            parts.append(f"【{topic.label}】\n\n" + "\n".join(_event_text(e) for e in mine))
    subject = f"{SITE}每日提醒（{day.month}月{day.day}日，{len(events)}条更新）"
    body = (
        f"截至{rules.local_time_text(slot)}的一天里，您订阅的内容有以下更新：\n\n"
        + "\n".join(parts)
        + "\n"
        + _footer(subscription)
    )
    key = f"alerts.digest:{subscription.public_id}:{day.isoformat()}"
    return _draft(subscription, key, PURPOSE_DIGEST, subject, body)
