"""The pages' forms: an incident's facts, a notification made, the list's filter. They render and check
shapes; the services decide (their ValidationErrors land on the field they name)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext as _

from trialdesk.core.forms import reason_field
from trialdesk.incidents import rules
from trialdesk.safety.forms import DateTimeInput
from trialdesk.safety.rules import reportable


def local_moment(value: dt.datetime | None, zone_name: str) -> dt.datetime | None:
    """A wall-clock time typed on the page, read in the zone named (None when the zone is unknown: the
    service then names the zone field)."""
    if value is None or reportable.time_zone_problem(zone_name):
        return None
    return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone_name))


def residents_text(residents: dict | None) -> str:
    return ", ".join(f"{state}={count}" for state, count in sorted((residents or {}).items()))


class IncidentForm(forms.Form):
    """An incident's facts; on an existing one, also the version read and a reason for the change."""

    study_site = forms.ChoiceField(label="Site", required=False, help_text="Empty: the study as a whole.")
    kind = forms.ChoiceField(choices=list(rules.KIND_LABELS.items()))
    title = forms.CharField(
        max_length=200, help_text="A short name, e.g. 'Laptop with the screening log lost'."
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    aware_at = forms.DateTimeField(
        label="Sponsor became aware",
        widget=DateTimeInput,
        help_text="In the sponsor's time zone (below): the notification clocks start here.",
    )
    sponsor_timezone = forms.CharField(
        label="Sponsor time zone",
        max_length=64,
        help_text="IANA name, e.g. Europe/Berlin: deadlines are shown and day clocks end in it.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    jurisdictions = forms.MultipleChoiceField(
        choices=[("EU", "EU / EEA"), ("UK", "United Kingdom"), ("US", "United States")],
        widget=forms.CheckboxSelectMultiple,
    )
    affected_individuals = forms.IntegerField(min_value=0, max_value=2**31 - 1, initial=0)
    risk_to_individuals = forms.ChoiceField(
        label="Risk to individuals",
        choices=list(rules.RISK_LABELS.items()),
        initial="risk",
        help_text="GDPR art. 33: no notification when unlikely to result in a risk; art. 34: individuals "
        "are told when the risk is high.",
    )
    hipaa_role = forms.ChoiceField(
        label="HIPAA role", choices=list(rules.HIPAA_ROLE_LABELS.items()), initial="covered_entity"
    )
    residents_by_state = forms.CharField(
        label="Affected residents by US State",
        required=False,
        max_length=2000,
        help_text="E.g. CA=620, NY=15 (HIPAA media notice: more than 500 of one State). Empty: not known.",
    )
    measures = forms.CharField(
        label="Measures taken or proposed", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, sites=(), edit_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        self.fields["study_site"].choices = [("", _("The whole study"))] + [
            (key, _("Site %(number)s") % {"number": site.site_number}) for key, site in self.sites.items()
        ]
        if edit_version is not None:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, initial=edit_version)
            self.fields["reason"] = reason_field()

    def clean_residents_by_state(self):
        text = self.cleaned_data["residents_by_state"].strip()
        if not text:
            return None
        found = {}
        for part in text.replace(";", ",").split(","):
            state, _, count = part.strip().partition("=")
            if not count.strip().isdigit():
                problem = _("Write each State as CODE=number, e.g. CA=620 (not '%(part)s').")
                raise forms.ValidationError(problem % {"part": part.strip()})
            found[state.strip().upper()] = int(count)
        return found

    def values(self) -> dict:
        """The service's keyword arguments."""
        data = self.cleaned_data
        return {
            "study_site": self.sites.get(data["study_site"] or ""),
            "kind": data["kind"],
            "title": data["title"],
            "description": data["description"],
            "aware_at": local_moment(data["aware_at"], data["sponsor_timezone"]),
            "jurisdictions": list(data["jurisdictions"]),
            "sponsor_timezone": data["sponsor_timezone"].strip(),
            "affected_individuals": data["affected_individuals"],
            "risk_to_individuals": data["risk_to_individuals"],
            "hipaa_role": data["hipaa_role"],
            "residents_by_state": data["residents_by_state"],
            "measures": data["measures"],
        }


class NotificationMadeForm(forms.Form):
    """Evidence that a notification was made: when (in the reporting party's time) and the reference."""

    submitted_at = forms.DateTimeField(
        label="Made at", widget=DateTimeInput, help_text="In the reporting party's time zone (shown above)."
    )
    reference_number = forms.CharField(
        max_length=100, required=False, help_text="The recipient's case or acknowledgement number."
    )
    reason = reason_field(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IncidentFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *rules.KIND_LABELS.items()], required=False)
