"""The public record (公示记录): append-only entries, each hash-chained to the one before.

Nothing in the application updates or deletes an entry: the model refuses ``save`` of an
existing row and ``delete``, its queryset refuses ``update`` and ``delete``, and database
triggers (migration 0002) refuse UPDATE, and on PostgreSQL DELETE too.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.domain.dates import PUBLICITY_TZ

APPEND_ONLY_MESSAGE = "公示记录只能追加，不能修改或删除。 / The public record is append-only."


class AppendOnlyError(PermissionDenied):
    def __init__(self):
        super().__init__(APPEND_ONLY_MESSAGE)


class RecordEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError

    def delete(self):
        raise AppendOnlyError

    update.alters_data = delete.alters_data = True


class RecordKind(models.TextChoices):
    NOTICE = "notice", _("决定公告")
    POLICY = "policy", _("政策文件")


class RecordEvent(models.TextChoices):
    PUBLISHED = "published", _("发布")
    CORRECTION_PUBLISHED = "correction_published", _("更正公告发布")
    WINDOW_OPENED = "window_opened", _("公示开始")
    WINDOW_CLOSED = "window_closed", _("公示结束")
    CORRECTED = "corrected", _("已更正")
    WITHDRAWN = "withdrawn", _("撤回")
    FINALISED = "finalised", _("确认认定结果")
    POLICY_STATUS = "policy_status", _("政策文件状态")


class RecordEntry(models.Model):
    sequence = models.PositiveBigIntegerField(_("序号"), unique=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    kind = models.CharField(_("类别"), max_length=16, choices=RecordKind.choices)
    subject = models.CharField(_("公告编号或文件"), max_length=100, db_index=True)
    event = models.CharField(_("事件"), max_length=32, choices=RecordEvent.choices)
    data_sha256 = models.CharField(_("公开数据哈希"), max_length=64)
    previous_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("本条哈希"), max_length=64, unique=True)

    objects = RecordEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("公示记录")
        verbose_name_plural = _("公示记录")
        ordering = ["sequence"]

    def __str__(self):
        return f"#{self.sequence} {self.subject} {self.get_event_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError

    def fields(self) -> dict:
        """The entry as the read API and ``record/record.jsonl`` give it."""
        return {
            "sequence": self.sequence,
            "recorded_at": recorded_at_text(self.recorded_at),
            "kind": self.kind,
            "subject": self.subject,
            "event": self.event,
            "data_sha256": self.data_sha256,
            "previous_hash": self.previous_hash,
            "hash": self.hash,
        }


def recorded_at_text(at: datetime) -> str:
    return at.astimezone(PUBLICITY_TZ).isoformat(timespec="seconds")
