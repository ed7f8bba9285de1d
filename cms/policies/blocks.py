"""StreamField blocks for a policy's structured text: sections, sub-sections, numbered clauses.

Numbers are stored as written in the document (一, （三）, 3); stable anchors such as ``s2-3-3``
("section 二(三) item 3") are derived from them, so links to a clause survive edits of its text.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class ClauseBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("序号"), max_length=8, help_text=_("如：1"))
    text = blocks.TextBlock(label=_("条文"))

    class Meta:
        label = _("条款")
        icon = "list-ol"


class SubsectionBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("序号"), max_length=8, help_text=_("如：（三）"))
    heading = blocks.CharBlock(label=_("标题"), max_length=100)
    lead = blocks.TextBlock(
        label=_("标题后正文"), required=False, help_text=_("与标题同段的文字（标题后接句号）")
    )
    content = blocks.StreamBlock(
        [
            ("paragraph", blocks.TextBlock(label=_("段落"))),
            ("clause", ClauseBlock()),
        ],
        label=_("内容"),
        required=False,
    )

    class Meta:
        label = _("小节")
        icon = "doc-full"


class SectionBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("序号"), max_length=8, help_text=_("如：二"))
    heading = blocks.CharBlock(label=_("标题"), max_length=100)
    content = blocks.StreamBlock(
        [
            ("paragraph", blocks.TextBlock(label=_("段落"))),
            ("subsection", SubsectionBlock()),
        ],
        label=_("内容"),
        required=False,
    )

    class Meta:
        label = _("章节")
        icon = "title"


class PolicyBodyBlock(blocks.StreamBlock):
    section = SectionBlock()
