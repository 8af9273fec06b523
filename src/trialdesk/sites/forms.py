"""Forms for the institution directory and for adding and editing a study's sites."""

from django import forms
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, RegulatedRecordForm
from trialdesk.sites import rules, selectors, services
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
        labels = {
            "principal_investigator_person": _("Principal investigator"),
            "principal_investigator": _("Principal investigator's name, if not one of the people here"),
        }
        help_texts = {
            "principal_investigator_person": _(
                "One of the people with a role in this study; the site then shows their name and links "
                "to them."
            ),
        }

    field_order = ["institution", "site_number", "principal_investigator_person", "principal_investigator"]

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].label_from_instance = lambda i: f"{i} ({i.country})"
        picker = self.fields["principal_investigator_person"]
        picker.queryset = selectors.investigator_candidates(
            self.instance.study, current=self.instance.principal_investigator_person
        )
        picker.label_from_instance = lambda person: (
            f"{person.get_full_name()} ({person.username})" if person.get_full_name() else person.username
        )
        picker.empty_label = _("Not one of the people here")
        picker.widget.attrs["data-search"] = ""  # a search box, however short the list
        if not self.is_edit:
            # A new site is activated through its status lifecycle, not by typing a date.
            del self.fields["activated_on"]
