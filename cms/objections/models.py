"""Objections (异议) to decision items under publicity, and their evidence files.

The objector's identity (name, organisation, phone, e-mail, address; what every public submission
shares: cms.submissions.models) is personal data: it is shown only to staff with
``view_objector_details``, never published, never logged, and blanked by
``purge_objection_personal_data`` once the retention period has passed (after the answer, or
after submission for one never answered on a notice no longer under publicity).
"""

import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cms.submissions.models import PublicSubmission
from cms.submissions.rules import ObjectorType

from .rules import ObjectionStatus, Outcome


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
