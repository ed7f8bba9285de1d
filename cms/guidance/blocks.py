"""StreamField blocks of the guidance page (申报指南) and the FAQ (常见问题).

Clause codes (A1–A5, X1–X4) are stored as codes only: their labels and anchors come from
:mod:`cms.domain.clauses` and their texts from the live policy, when the API reads the page.
Anchors such as ``s3-5`` name a clause or sub-section on the policy page; the pages check them
against the policy's outline when saved.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from cms.domain.clauses import EXCLUSIONS, GROUNDS

ANCHOR_HELP = _(
    "政策文件中条款的锚点，如 s2-1（二（一））、s3-5（三（五））、s2-2-1（二（二）1）。"
)


class AnchorBlock(blocks.CharBlock):
    def __init__(self, required=True, **kwargs):
        super().__init__(
            required=required,
            max_length=20,
            label=kwargs.pop("label", _("依据条款")),
            help_text=kwargs.pop("help_text", ANCHOR_HELP),
            **kwargs,
        )


class ConditionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("条件"), max_length=200)
    anchor = AnchorBlock()

    class Meta:
        label = _("适用条件")
        icon = "tick"


class CodedClauseBlock(blocks.StructBlock):
    note = blocks.TextBlock(
        label=_("说明"), required=False, help_text=_("可选：面向科研人员的补充说明。")
    )

    class Meta:
        icon = "link"


class GroundBlock(CodedClauseBlock):
    code = blocks.ChoiceBlock(
        label=_("适用情形"), choices=[(c.code, f"{c.code} {c.label}") for c in GROUNDS.values()]
    )

    class Meta:
        label = _("适用情形")


class ExclusionBlock(CodedClauseBlock):
    code = blocks.ChoiceBlock(
        label=_("不适用情形"),
        choices=[(c.code, f"{c.code} {c.label}") for c in EXCLUSIONS.values()],
    )

    class Meta:
        label = _("不适用情形")


class MaterialBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("材料名称"), max_length=100)
    note = blocks.CharBlock(label=_("说明"), max_length=300, required=False)

    class Meta:
        label = _("申报材料")
        icon = "doc-full"


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("步骤"), max_length=50)
    text = blocks.TextBlock(label=_("说明"))
    anchor = AnchorBlock()
    publicity = blocks.BooleanBlock(
        label=_("公示步骤"),
        required=False,
        help_text=_("勾选后，门户显示公示期天数（取自系统设置，不在此填写）。"),
    )

    class Meta:
        label = _("程序步骤")
        icon = "arrow-right"


class ContactBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("单位或部门"), max_length=100)
    handles = blocks.CharBlock(label=_("负责事项"), max_length=200, required=False)
    phone = blocks.CharBlock(label=_("电话"), max_length=40, required=False)
    email = blocks.EmailBlock(label=_("电子邮箱"), required=False)
    address = blocks.CharBlock(label=_("地址"), max_length=200, required=False)

    class Meta:
        label = _("联系方式")
        icon = "user"


class FormDownloadBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("表格名称"), max_length=100)
    document = DocumentChooserBlock(label=_("文件"))
    note = blocks.CharBlock(label=_("说明"), max_length=200, required=False)

    class Meta:
        label = _("表格下载")
        icon = "download"


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问题"), max_length=200)
    answer = blocks.RichTextBlock(label=_("回答"), features=["bold", "italic", "ol", "ul", "link"])
    anchor = AnchorBlock(required=False)

    class Meta:
        label = _("问答")
        icon = "help"
