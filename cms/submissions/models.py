"""What every submission from the public shares (objections, comments on a draft policy).

The submitter's identity (``PERSONAL_FIELDS``) is personal data: shown only to staff with the
kind's details permission, never published, never logged, and blanked once the retention period
has passed (:func:`cms.submissions.services.purge_submissions`).
"""

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

PERSONAL_FIELDS = ("real_name", "organisation", "phone", "email", "postal_address")


class PublicSubmission(models.Model):
    """What every submission from the public shares (objections, comments on a draft policy):
    its receipt, the hashed lookup code, idempotency, the submitter's identity (personal data,
    see ``PERSONAL_FIELDS``), consent, and who answered when. Subclasses name their kind (it
    keys the digests, so one kind's secrets never open another's) and add what it is about, its
    text, its status and its answer.

    Secrets are stored so that the database alone gives none of them away: the lookup code as a
    keyed digest, and sealed under the Idempotency-Key for a replay; the Idempotency-Key as a
    hash; the content as a keyed digest, blanked with the identity (cms.submissions.rules)."""

    submission_kind: ClassVar[str]

    # The admin registers these models, which would make Wagtail index their references to
    # pages on every save: work in the public request path that no editor ever needs.
    wagtail_reference_index_ignore = True

    receipt_number = models.CharField(_("受理编号"), max_length=32, unique=True)
    lookup_code_hash = models.CharField(_("查询码摘要"), max_length=200, editable=False)
    lookup_code_sealed = models.CharField(max_length=100, blank=True, editable=False)
    idempotency_key_hash = models.CharField(
        _("幂等键摘要"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    payload_digest = models.CharField(max_length=64, blank=True, editable=False)
    real_name = models.CharField(_("真实姓名"), max_length=50, blank=True)
    organisation = models.CharField(_("单位名称"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    postal_address = models.CharField(_("通信地址"), max_length=200, blank=True)
    consented_at = models.DateTimeField(_("同意隐私声明时间"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    personal_data_purged_at = models.DateTimeField(_("个人信息清除时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return self.receipt_number

    @property
    def is_answered(self) -> bool:
        return self.status == "answered"


class RateCounter(models.Model):
    """How many attempts one client (or one client on one notice) made in one window of one rate
    limit: the counters every worker shares (:mod:`cms.submissions.counters`). Times are Unix
    seconds, so a window is the same whatever the server's time zone."""

    key = models.CharField(_("计数对象"), max_length=200)
    window_start = models.BigIntegerField(_("时段开始"))
    window_end = models.BigIntegerField(_("时段结束"), db_index=True)
    count = models.PositiveIntegerField(_("次数"), default=0)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_counter_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start}: {self.count}"
