"""Forms of start-up and close-out: tick an item, sign an override (the service checks the rest)."""

from django import forms

from trialdesk.core.forms import DateInput
from trialdesk.startup import rules


class TickForm(forms.Form):
    item = forms.ChoiceField(label="Item")
    done_on = forms.DateField(label="Done on", widget=DateInput, required=False)
    done_by = forms.CharField(label="Done by (name)", max_length=200, required=False)
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="The document, its reference or where it is filed.",
    )
    retain_until = forms.DateField(
        label="Retain until", widget=DateInput, required=False, help_text="Archiving only: end of retention."
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(item.key, item.label) for item in items]


class OverrideForm(forms.Form):
    gate = forms.ChoiceField(choices=list(rules.GATE_LABELS.items()))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    password = forms.CharField(
        label="Your password (electronic signature)",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
