from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sharing.services import REPORT_REASON_MAX


class ReportForm(forms.Form):
    REASONS = (
        ("not_for_children", _("It is not right for children")),
        ("personal", _("It shows something personal")),
        ("other", _("Something else")),
    )
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=REASONS)
    details = forms.CharField(
        label=_("Tell us more (optional)"),
        required=False,
        max_length=REPORT_REASON_MAX - 20,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def reason_text(self) -> str:
        reason = self.cleaned_data["reason"]
        details = self.cleaned_data.get("details", "")
        return f"{reason}: {details}" if details else reason
