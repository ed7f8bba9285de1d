"""Objections (异议) to decision items under publicity, and their evidence files.

The objector's identity (name, organisation, phone, e-mail, address) is personal data: it is
shown only to staff with ``view_objector_details``, never published, never logged, and blanked
by ``purge_objection_personal_data`` once the retention period has passed (after the answer,
or after submission for one never answered on a notice no longer under publicity).
"""

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .rules import ObjectionStatus, ObjectorType, Outcome

PERSONAL_FIELDS = ("real_name", "organisation", "phone", "email", "postal_address")


class EvidenceStorage(FileSystemStorage):
    """Files under OBJECTION_EVIDENCE_ROOT, read when first used and again whenever the setting
    changes (as tests change it), not fixed when the model is loaded."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.OBJECTION_EVIDENCE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "OBJECTION_EVIDENCE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def evidence_storage() -> FileSystemStorage:
    """Evidence is private: kept outside MEDIA_ROOT, served only through a permission check."""
    return EvidenceStorage(base_url=None)


def evidence_path(instance, filename: str) -> str:
    # Stored under a random name: the uploaded name is kept (sanitised) only as a label.
    return (
        f"objections/{instance.objection.created_at:%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"
    )


class PublicSubmission(models.Model):
    """What every submission from the public shares (objections, comments on a draft policy):
    its receipt, the hashed lookup code, idempotency, the submitter's identity (personal data,
    see ``PERSONAL_FIELDS``), consent, and who answered when. Subclasses name their kind (it
    keys the digests, so one kind's secrets never open another's) and add what it is about, its
    text, its status and its answer.

    Secrets are stored so that the database alone gives none of them away: the lookup code as a
    keyed digest, and sealed under the Idempotency-Key for a replay; the Idempotency-Key as a
    hash; the content as a keyed digest, blanked with the identity (cms.objections.rules)."""

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


class Objection(PublicSubmission):
    submission_kind = "objection"

    notice = models.ForeignKey(
        "notices.DecisionNoticePage",
        verbose_name=_("公告"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    item = models.ForeignKey(
        "notices.DecisionItem",
        verbose_name=_("异议事项"),
        on_delete=models.PROTECT,
        related_name="objections",
    )
    objector_type = models.CharField(_("异议人类型"), max_length=16, choices=ObjectorType.choices())
    content = models.TextField(_("异议内容（事实和理由）"))
    status = models.CharField(
        _("处理状态"),
        max_length=16,
        choices=ObjectionStatus.choices(),
        default=ObjectionStatus.RECEIVED,
    )
    investigation = models.TextField(_("调查核实情况"), blank=True)
    outcome = models.CharField(_("处理结论"), max_length=16, choices=Outcome.choices(), blank=True)
    answer = models.TextField(_("调查处理意见"), blank=True)

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at"]
        permissions = [("view_objector_details", _("可查看异议人身份和联系方式"))]


class ObjectionEvidence(models.Model):
    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("异议")
    )
    file = models.FileField(_("文件"), upload_to=evidence_path, storage=evidence_storage)
    original_name = models.CharField(_("原文件名"), max_length=200)
    extension = models.CharField(max_length=8)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self):
        return self.original_name
