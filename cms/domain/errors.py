"""GuardError, the one exception a broken rule raises, and the messages every app shares."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# Guard messages by code: (Chinese, English) templates, filled with str.format(**values).
# Each app's rules add their own table; these are the codes more than one app raises.
# fmt: off
MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "unknown_code": ("未知的{kind}代码：{code}。", "unknown {kind_en} code: {code}."),
    "no_items": ("公告至少须包含一个认定事项。", "A notice needs at least one decision item."),
    "mixed_handling_bodies": (
        "省基础公益研究专项的事项由省自然科学基金委员会办公室办理，不能与其他计划的事项编入同一公告。",
        "Basic public-welfare items are handled by the foundation committee office and cannot "
        "share a notice with items of other programmes."),
    "ever_public_unpublish": ("已公开发布的{kind}不能取消发布：公告请“撤回公告”（说明原因）或发布"
                              "“更正公告”；政策文件请将状态改为“已修订”或“已废止”。",
                              "A {kind_en} that has been published cannot be unpublished: withdraw "
                              "it with a reason or publish a correction (a policy is marked "
                              "revised or repealed)."),
    "ever_public_delete": ("已公开发布的{kind}不能删除，它是公示记录的一部分。",
                           "A {kind_en} that has been published cannot be deleted: it is part of "
                           "the public record."),
    "ever_public_move": ("已公开发布的{kind}不能移动，其公开网址必须保持不变。",
                         "A {kind_en} that has been published cannot be moved: its public address "
                         "must not change."),
    "copy_not_offered": ("{kind}不能复制：公告编号必须唯一。请新建公告，"
                         "或对已发布的公告使用“更正公告”。",
                         "A {kind_en} cannot be copied: its number must be unique. Add a new one, "
                         "or correct a published notice."),
    "never_created_live": ("{kind}只能经审定发布上线，不能直接创建为已发布状态（包括复制）。",
                           "A {kind_en} goes live only through approval and publication, never "
                           "by being created live (or copied)."),
})
# fmt: on


class GuardError(Exception):
    """A rule was broken. ``code`` is stable; ``str()`` is the Chinese message."""

    def __init__(
        self,
        code: str,
        message: str = "",
        message_en: str = "",
        *,
        field: str | None = None,
        item: str | None = None,
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.message_en = message_en or self.message
        self.field = field
        self.item = item

    @classmethod
    def of(
        cls,
        code: str,
        /,
        *,
        field: str | None = None,
        item: str | None = None,
        messages: Mapping[str, tuple[str, str]] = MESSAGES,
        **values: object,
    ) -> GuardError:
        """Build from ``messages[code]``; an item label prefixes both messages."""
        zh, en = (t.format(**values) for t in messages[code])
        if item:
            zh, en = f"事项 {item}：{zh}", f"Item {item}: {en}"
        else:
            en = en[:1].upper() + en[1:]
        return cls(code, zh, en, field=field, item=item or None)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"GuardError({self.code!r}, {self.message!r}, field={self.field!r}, item={self.item!r})"
        )

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form for API error bodies."""
        keys = ("code", "message", "message_en", "field", "item")
        return {k: getattr(self, k) for k in keys}
