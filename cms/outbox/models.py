"""One outbox for every mail the platform sends: each message is a row, queued inside the
transaction of the action that causes it, and sent afterwards by the task worker
(:mod:`cms.outbox.delivery`), with retries, until it is sent or refused for good.

A row holds a recipient's address and what is said to them: rows are deleted
``OUTBOX_RETENTION_DAYS`` after they were sent (or gave up), and with what they belong to
(``owner``: an e-mail alert subscription, when it is cancelled)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailState(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class OutgoingMail(models.Model):
    recipient = models.EmailField(_("收件人"), max_length=254)
    subject = models.CharField(_("主题"), max_length=300)
    body_text = models.TextField(_("正文"))
    body_html = models.TextField(_("HTML 正文"), blank=True)
    headers = models.JSONField(_("附加邮件头"), default=dict, blank=True)
    purpose = models.CharField(_("用途"), max_length=40)
    #: The same key again queues nothing: each reason to write is one mail, however often the
    #: action that causes it runs (a retried request, a repeated build, a restarted worker).
    dedupe_key = models.CharField(_("去重键"), max_length=200, unique=True)
    #: What the mail is deleted with, e.g. ``alerts.subscription:12``; blank for none.
    owner = models.CharField(_("所属"), max_length=100, blank=True, db_index=True)
    #: Fixed when queued: every attempt sends the same Message-ID.
    message_id = models.CharField(_("邮件标识（Message-ID）"), max_length=255)
    state = models.CharField(
        _("状态"), max_length=16, choices=MailState.choices, default=MailState.QUEUED
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    #: Who is sending it (a random token per claim) and until when the claim holds.
    claim_token = models.CharField(_("发送标记"), max_length=32, blank=True)
    lease_expires_at = models.DateTimeField(_("发送时限"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("加入队列时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发邮件")
        verbose_name_plural = _("发信队列")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return self.subject
