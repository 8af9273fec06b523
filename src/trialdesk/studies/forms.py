"""Forms for the portfolio filters and for setting up a study, its protocol versions, arms and milestones."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from trialdesk.core.forms import DateInput, RegulatedRecordForm
from trialdesk.studies import selectors, services
from trialdesk.studies.models import Arm, Milestone, Phase, ProtocolVersion, Study, StudyStatus


def _translated(choices) -> list[tuple[str, str]]:
    """Model choices drawn in the reader's language (their labels are listed in studies/labels.py)."""
    return [(value, gettext_lazy(label)) for value, label in choices]


class PortfolioFilterForm(forms.Form):
    """The portfolio's filters; a value that is not on offer is ignored rather than refused."""

    search = forms.CharField(
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": gettext_lazy("Protocol number, title, acronym or NCT number"),
            }
        ),
    )
    status = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Status"),
        choices=[("", gettext_lazy("Any status")), *_translated(StudyStatus.choices)],
    )
    phase = forms.ChoiceField(
        required=False,
        label=gettext_lazy("Phase"),
        choices=[("", gettext_lazy("Any phase")), *_translated(Phase.choices)],
    )
    therapeutic_area = forms.ChoiceField(required=False, label=gettext_lazy("Therapeutic area"))
    sort = forms.ChoiceField(
        required=False,
        choices=(),  # every sort the portfolio takes, filled per form once the apps registered theirs
        widget=forms.HiddenInput(attrs={"id": "portfolio-sort"}),
    )

    def __init__(self, *args, therapeutic_areas: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort"].choices = [(key, key) for key in selectors.portfolio_sorts()]
        self.fields["therapeutic_area"].choices = [
            ("", gettext("Any area")),
            *((a, a) for a in therapeutic_areas),
        ]

    def filters(self) -> dict:
        self.is_valid()
        values = {name: self.cleaned_data.get(name) or "" for name in ("status", "phase", "search")}
        values["therapeutic_area"] = self.cleaned_data.get("therapeutic_area") or ""
        values["sort"] = self.cleaned_data.get("sort") or "code"
        values["search"] = values["search"].strip()
        return values


class StudyForm(RegulatedRecordForm):
    class Meta:
        model = Study
        fields = services.STUDY_FIELDS
        widgets = {
            "title": forms.TextInput(attrs={"size": 80}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "nct_number": forms.TextInput(attrs={"placeholder": "NCT01234567"}),
        }

    # Participant settings a form may leave out; a missing one keeps its current (or default) value.
    KEPT_WHEN_MISSING = ("participant_number_format", "reconsent_window_days")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = selectors.programs_for(user)
        for name in self.KEPT_WHEN_MISSING:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in self.KEPT_WHEN_MISSING:
            if cleaned.get(name) in ("", None) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class ProtocolVersionForm(RegulatedRecordForm):
    class Meta:
        model = ProtocolVersion
        fields = services.PROTOCOL_FIELDS
        widgets = {"version_date": DateInput, "summary_of_changes": forms.Textarea(attrs={"rows": 4})}


class ArmForm(RegulatedRecordForm):
    class Meta:
        model = Arm
        fields = services.ARM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MilestoneForm(RegulatedRecordForm):
    field_order = ["kind", "name", "study_site", "baseline_on", "forecast_on", "actual_on", "note"]

    class Meta:
        model = Milestone
        fields = services.MILESTONE_FIELDS
        widgets = {
            "baseline_on": DateInput,
            "forecast_on": DateInput,
            "actual_on": DateInput,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"study_site": "Site"}

    def __init__(self, *args, user, study, **kwargs):
        super().__init__(*args, **kwargs)
        site_field = self.fields["study_site"]
        site_field.queryset = (
            selectors.study_sites_visible_to(user).filter(study=study).select_related("institution")
        )
        site_field.empty_label = gettext("Study (no site)")
        site_field.label_from_instance = lambda site: f"{site.site_number} — {site.institution}"
