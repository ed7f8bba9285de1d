from django import forms


class AnsweringForm(forms.ModelForm):
    """Answering a public submission: an outcome and an answer go together, and once answered
    the record is locked. Subclasses give ``Meta`` (with ``outcome`` and ``answer``) and the
    messages ``locked_message``, ``answer_needed`` and ``outcome_needed``."""

    locked_message: str
    answer_needed: str
    outcome_needed: str

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_answered:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.is_answered:
            raise forms.ValidationError(self.locked_message)
        if cleaned.get("outcome") and not (cleaned.get("answer") or "").strip():
            self.add_error("answer", self.answer_needed_for(cleaned["outcome"]))
        if (cleaned.get("answer") or "").strip() and not cleaned.get("outcome"):
            self.add_error("outcome", self.outcome_needed)
        return cleaned

    def answer_needed_for(self, outcome: str) -> str:
        return self.answer_needed
