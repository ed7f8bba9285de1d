from django import forms
from django.utils.translation import gettext_lazy as _

from cms.submissions.forms import AnsweringForm

from .models import Objection
from .rules import Outcome


class HandlingForm(AnsweringForm):
    """调查处理: record the investigation; with an outcome and an answer, the answer is sent.
    不予受理 is an outcome too, and its answer is the reason."""

    locked_message = _("该异议已答复，不能再修改。")
    answer_needed = _("作出结论时须填写调查处理意见。")
    outcome_needed = _("答复前须选择处理结论。")
    inadmissible_reason_needed = _("不予受理的，须在调查处理意见中写明不予受理的理由。")

    outcome = forms.ChoiceField(
        label=_("处理结论"),
        choices=[("", _("（尚未作出结论）")), *Outcome.choices()],
        required=False,
    )

    class Meta:
        model = Objection
        fields = ["investigation", "outcome", "answer"]
        widgets = {
            "investigation": forms.Textarea(attrs={"rows": 6}),
            "answer": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "answer": _("作出结论并填写处理意见后保存，即答复异议人（发送电子邮件）。"
                        "异议成立的，将创建更正公告草稿；不予受理的，在此写明理由。"),
        }  # fmt: skip

    def answer_needed_for(self, outcome: str) -> str:
        if outcome == Outcome.INADMISSIBLE:
            return self.inadmissible_reason_needed
        return self.answer_needed


class InadmissibleForm(forms.Form):
    """批量不予受理: one reason, sent as the answer to every objection chosen."""

    reason = forms.CharField(
        label=_("不予受理的理由"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("作为调查处理意见发送给每一位异议人（电子邮件），异议人也可在门户网站查询。"),
        error_messages={"required": _("请填写不予受理的理由。")},
    )
