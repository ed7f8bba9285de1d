"""E-mail alert subscriptions (订阅提醒) and the events they are told about.

A subscription is an address with its topics and frequency; it sends nothing but its
confirmation until the link in that mail is followed (double opt-in), and is deleted, address
and all, when unsubscribed or, never confirmed, once its link has expired. No account, no name:
the links in its mails (signed, :mod:`cms.alerts.tokens`) are how its owner manages it.

An event is something published that a topic covers (a notice put under publicity, results
confirmed, a policy or guidance page changed, a failure report). It is recorded with the
publication, and becomes due only when a portal build that started after it was committed has
succeeded: the page it links to is then on the portal."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .rules import Frequency, Topic


def new_public_id() -> str:
    return secrets.token_urlsafe(16)


class Subscription(models.Model):
    #: Names the subscription in its links, which are signed (:mod:`cms.alerts.tokens`).
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    email = models.EmailField(_("电子邮箱"), max_length=254, unique=True)
    topics = models.JSONField(_("订阅内容"), default=list)
    frequency = models.CharField(
        _("发送频率"), max_length=16, choices=Frequency.choices(), default=Frequency.IMMEDIATE
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    consented_at = models.DateTimeField(_("同意隐私声明时间"))
    #: When the last confirmation mail was queued; its link expires ALERTS_CONFIRM_DAYS later.
    confirmation_sent_at = models.DateTimeField(_("确认邮件发出时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    #: Daily digests: events live up to this instant have been in one (or predate the
    #: subscription).
    digest_through = models.DateTimeField(_("已汇总至"), null=True, blank=True)

    class Meta:
        verbose_name = _("订阅")
        verbose_name_plural = _("电子邮件订阅")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"订阅 {self.pk}"

    @property
    def owner(self) -> str:
        """What the subscription's mails are filed under in the outbox (deleted with it)."""
        return f"alerts.subscription:{self.pk}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def covers(self, topic: str) -> bool:
        return topic in self.topics


class AlertEvent(models.Model):
    #: What happened, once: ``notice-published:12:notices``, ``page:40:118:policies`` …
    key = models.CharField(_("事件标识"), max_length=200, unique=True)
    topic = models.CharField(_("订阅内容"), max_length=16, choices=Topic.choices())
    page_id = models.PositiveIntegerField(_("页面"), null=True, blank=True)
    title = models.CharField(_("标题"), max_length=300)
    summary = models.TextField(_("摘要"), blank=True)
    url = models.URLField(_("门户网址"), max_length=500)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)
    #: The start of the first portal build after it was committed: that build exports it.
    build_started_at = models.DateTimeField(_("所在构建开始时间"), null=True, blank=True)
    #: When a build that exported it succeeded: it is on the portal, and due.
    live_at = models.DateTimeField(_("上线时间"), null=True, blank=True, db_index=True)
    #: When the immediate alerts were queued (daily digests pick it up on their own).
    fanned_out_at = models.DateTimeField(_("提醒已排队时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒事件")
        verbose_name_plural = _("提醒事件")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.title
