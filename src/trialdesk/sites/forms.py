"""Forms for the institution directory and for adding and editing a study's sites."""

from django import forms

from trialdesk.core.forms import DateInput, RegulatedRecordForm
from trialdesk.sites import rules, services
from trialdesk.sites.models import Institution, StudySite


class InstitutionForm(RegulatedRecordForm):
    country = forms.ChoiceField(label="Country", choices=())
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        help_text="IANA name, e.g. Europe/Berlin; deadlines at this institution's sites are computed in it.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )

    class Meta:
        model = Institution
        fields = services.INSTITUTION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *rules.country_choices()]


class StudySiteForm(RegulatedRecordForm):
    class Meta:
        model = StudySite
        fields = services.STUDY_SITE_FIELDS
        widgets = {"planned_activation_on": DateInput, "activated_on": DateInput}
        labels = {"principal_investigator": "Principal investigator"}

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].label_from_instance = lambda i: f"{i} ({i.country})"
        if not self.is_edit:
            # A new site is activated through its status lifecycle, not by typing a date.
            del self.fields["activated_on"]
