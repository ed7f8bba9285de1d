from django import forms
from django.utils.translation import gettext_lazy as _

from cms.submissions.forms import AnsweringForm

from .models import PolicyComment
from .rules import CommentOutcome


class CommentAnswerForm(AnsweringForm):
    """答复意见: how the comment was taken up and the answer, sent when saved."""

    locked_message = _("该意见已答复，不能再修改。")
    answer_needed = _("选择采纳情况时须填写答复意见。")
    outcome_needed = _("答复前须选择采纳情况。")

    outcome = forms.ChoiceField(
        label=_("采纳情况"),
        choices=[("", _("（尚未答复）")), *CommentOutcome.choices()],
        required=False,
    )

    class Meta:
        model = PolicyComment
        fields = ["outcome", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "answer": _("选择采纳情况并填写答复意见后保存，即答复意见提出人（发送电子邮件）。"
                        "意见的总体采纳情况请写入政策文件的“意见采纳情况说明”。"),
        }  # fmt: skip
