"""Forms of monitoring visits: plan or change one, confirm it, record it as conducted, cancel it; and
the visit list's filters."""

from django import forms
from django.utils.translation import gettext

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.monitoring.forms.fields import PersonChoiceField, textarea
from trialdesk.monitoring.models import (
    MonitoringModality,
    MonitoringVisit,
    MonitoringVisitStatus,
    MonitoringVisitType,
    TravelMode,
)
from trialdesk.monitoring.selectors.people import monitors_of

TRAVEL_HELP = "Empty: worked out from the geo points of the site's monitoring set-up."


class VisitForm(RegulatedRecordForm):
    cra = PersonChoiceField(queryset=None, label="CRA", required=False)

    class Meta:
        model = MonitoringVisit
        fields = (
            "visit_type",
            "modality",
            "planned_on",
            "cra",
            "purpose",
            "travel_mode",
            "travel_distance_km",
            "round_trip",
            "travel_days",
        )
        widgets = {"planned_on": DateInput(), "purpose": textarea(2)}

    def __init__(self, *args, study_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cra"].queryset = monitors_of(study_site)
        self.fields["travel_distance_km"].help_text = TRAVEL_HELP


class ConfirmForm(forms.Form):
    confirmed_on = forms.DateField(
        label="Confirmation letter sent", required=False, widget=DateInput, help_text="Defaults to today."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ConductForm(forms.Form):
    conducted_on = forms.DateField(label="Visit date", widget=DateInput)
    conducted_end_on = forms.DateField(
        label="Last day (a visit of several days)", required=False, widget=DateInput
    )
    travel_mode = forms.ChoiceField(
        choices=[("", "— as in the site's set-up —"), *TravelMode.choices], required=False
    )
    travel_distance_km = forms.DecimalField(
        label="Distance one way (km)",
        required=False,
        min_value=0,
        max_value=40_000,
        decimal_places=1,
        help_text=TRAVEL_HELP,
    )
    round_trip = forms.BooleanField(required=False, initial=True)
    travel_days = forms.DecimalField(min_value=0, max_value=60, decimal_places=1, initial=1)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class CancelForm(forms.Form):
    reason = reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


SORTS = {
    "planned_on": "planned_on",
    "site": "study_site__site_number",
    "type": "visit_type",
    "status": "status",
    "cra": "cra__username",
}


class VisitFilterForm(forms.Form):
    """The visit list's filters and sort; a value not on offer is ignored rather than refused."""

    site = forms.ChoiceField(required=False)
    visit_type = forms.ChoiceField(
        required=False, label="Type", choices=[("", "Any type"), *MonitoringVisitType.choices]
    )
    modality = forms.ChoiceField(required=False, choices=[("", "Any modality"), *MonitoringModality.choices])
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *MonitoringVisitStatus.choices])

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        self.fields["site"].choices = [("", "All sites")] + [
            (k, gettext("Site %(number)s") % {"number": s.site_number}) for k, s in self.sites.items()
        ]

    def apply(self, visits, sort: str):
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        if data["site"] in self.sites:
            visits = visits.filter(study_site=self.sites[data["site"]])
        for name in ("visit_type", "modality", "status"):
            if data[name]:
                visits = visits.filter(**{name: data[name]})
        key = sort.removeprefix("-")
        order = SORTS.get(key, "planned_on")
        return visits.order_by(("-" if sort.startswith("-") else "") + order, "-id")
