"""Forms of notifications: the inbox's filter and a person's choices (e-mail per kind, landing page)."""

from django import forms

from trialdesk.notifications import rules
from trialdesk.notifications.models import HomePage


class InboxFilterForm(forms.Form):
    show = forms.ChoiceField(
        label="Show", choices=[("all", "All"), ("unread", "Unread only")], required=False
    )
    kind = forms.ChoiceField(label="Kind", choices=[("", "Every kind"), *rules.Kind.choices], required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"unread_only": False, "kind": ""}
        return {"unread_only": self.cleaned_data["show"] == "unread", "kind": self.cleaned_data["kind"]}


class PreferencesForm(forms.Form):
    """One choice per kind of notification (immediately, daily digest, off), and the landing page."""

    home = forms.ChoiceField(
        label="After signing in, open", choices=HomePage.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, deliveries: dict[str, str], home: str, **kwargs):
        super().__init__(*args, initial={"home": home, **deliveries}, **kwargs)
        for kind, label in rules.Kind.choices:
            self.fields[kind] = forms.ChoiceField(label=label, choices=rules.Delivery.choices)

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in rules.Kind.values}
