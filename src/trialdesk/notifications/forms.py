"""Forms of notifications: the inbox's filter and a person's choices (e-mail per kind, landing page)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trialdesk.notifications import rules
from trialdesk.notifications.models import HomePage


def _translated(choices) -> list[tuple[str, str]]:
    """Choices whose labels show in the reader's language (the labels are listed in notifications.labels)."""
    return [(value, _(label)) for value, label in choices]


class InboxFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"), choices=[("all", _("All")), ("unread", _("Unread only"))], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Every kind")), *_translated(rules.Kind.choices)], required=False
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {"unread_only": False, "kind": ""}
        return {"unread_only": self.cleaned_data["show"] == "unread", "kind": self.cleaned_data["kind"]}


class PreferencesForm(forms.Form):
    """One choice per kind of notification (immediately, daily digest, off), and the landing page."""

    home = forms.ChoiceField(
        label=_("After signing in, open"), choices=_translated(HomePage.choices), widget=forms.RadioSelect
    )

    def __init__(self, *args, deliveries: dict[str, str], home: str, **kwargs):
        super().__init__(*args, initial={"home": home, **deliveries}, **kwargs)
        for kind, label in rules.Kind.choices:
            self.fields[kind] = forms.ChoiceField(label=_(label), choices=_translated(rules.Delivery.choices))

    def deliveries(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in rules.Kind.values}
