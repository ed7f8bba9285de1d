from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        help_text="身份验证器应用中当前显示的 6 位数字",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit():
            raise forms.ValidationError("验证码是 6 位数字。")
        return code
