"""Forms for the schedule of activities, recording and scheduling visits, and protocol deviations."""

from django import forms

from trialdesk.core.forms import DateInput, IdentifierCheck, RegulatedRecordForm, reason_field
from trialdesk.visits import services
from trialdesk.visits.models import (
    Anchor,
    DeviationCategory,
    Modality,
    ProtocolDeviation,
    ReviewStatus,
    VisitDefinition,
)

UNSCHEDULED = "unscheduled"


class VisitDefinitionForm(RegulatedRecordForm):
    modalities = forms.MultipleChoiceField(
        label="Allowed modalities",
        choices=Modality.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Allow at least one modality."},
    )

    class Meta:
        model = VisitDefinition
        fields = services.DEFINITION_FIELDS


class RecordVisitForm(IdentifierCheck, forms.Form):
    """Record one of the participant's visits (or an unscheduled one): date, modality, and why if a
    visit already recorded is corrected."""

    free_text_fields = ("note",)

    service_fields = {"scheduled_visit": "visit"}

    visit = forms.ChoiceField()
    done_on = forms.DateField(label="Visit date", widget=DateInput)
    modality = forms.ChoiceField(choices=[("", "— how it took place —"), *Modality.choices])
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For an unscheduled visit: why it took place.",
    )
    reason = reason_field(required=False)

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.visits = {str(v.pk): v for v in visits}
        self.fields["visit"].choices = [
            ("", "— choose the visit —"),
            *((key, _visit_choice(v)) for key, v in self.visits.items()),
            (UNSCHEDULED, "Unscheduled visit"),
        ]
        self.fields["reason"].help_text = "Needed when you correct a visit already recorded."

    def chosen_visit(self):
        """The scheduled visit chosen, or None for an unscheduled visit."""
        return self.visits.get(self.cleaned_data["visit"])


def _visit_choice(visit) -> str:
    label = f"{visit.definition.code}: {visit.definition.name} (target {visit.target_on:%Y-%m-%d})"
    return f"{label} — recorded {visit.done_on:%Y-%m-%d}, correct it" if visit.is_done else label


class ScheduleForm(forms.Form):
    """Give the participant the visits of the current schedule that hang on one anchor."""

    anchor = forms.ChoiceField(choices=Anchor.choices, help_text="The event the visits are counted from.")
    anchor_on = forms.DateField(label="Anchor date", widget=DateInput)


class DeviationForm(RegulatedRecordForm):
    free_text_fields = ("description", "corrective_action")
    field_order = [
        "study_site",
        "participant",
        "category",
        "important",
        "description",
        "occurred_on",
        "identified_on",
        "corrective_action",
    ]

    class Meta:
        model = ProtocolDeviation
        fields = services.DEVIATION_FIELDS
        widgets = {
            "occurred_on": DateInput,
            "identified_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "corrective_action": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"study_site": "Site"}

    def __init__(self, *args, sites, participants, **kwargs):
        super().__init__(*args, **kwargs)
        site_field = self.fields["study_site"]
        site_field.queryset = sites
        site_field.label_from_instance = lambda site: f"{site.site_number} — {site.institution}"
        participant_field = self.fields["participant"]
        participant_field.queryset = participants
        participant_field.empty_label = "— the site as a whole —"
        participant_field.label_from_instance = lambda p: f"{p.number} (site {p.study_site.site_number})"


class DeviationReviewForm(forms.Form):
    """The CRM confirms a deviation, and may settle whether it is important."""

    important = forms.TypedChoiceField(
        label="Important deviation?",
        choices=[("", "Keep as recorded"), ("yes", "Yes, important"), ("no", "No, not important")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
    )
    reason = reason_field(required=False)

    def __init__(self, *args, record_version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = "Optional: your assessment, kept on the audit trail."
        if record_version is not None:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=record_version, required=False
            )

    @property
    def expected_version(self) -> int | None:
        return self.cleaned_data.get("version")


YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class DeviationFilterForm(forms.Form):
    """The deviation list's filters; a value not on offer is ignored rather than refused."""

    site = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", "Any category"), *DeviationCategory.choices])
    important = forms.ChoiceField(required=False, choices=YES_NO)
    review_status = forms.ChoiceField(
        required=False, label="Review", choices=[("", "Any"), *ReviewStatus.choices]
    )
    automatic = forms.ChoiceField(required=False, label="Created automatically", choices=YES_NO)
    participant = forms.CharField(required=False, max_length=40, label="Participant number")

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        self.fields["site"].choices = [("", "All sites")] + [
            (key, str(site)) for key, site in self.sites.items()
        ]

    def filters(self) -> dict:
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        yes_no = {"yes": True, "no": False}
        return {
            "study_site": self.sites.get(data["site"]),
            "category": data["category"],
            "important": yes_no.get(data["important"]),
            "review_status": data["review_status"],
            "created_automatically": yes_no.get(data["automatic"]),
            "participant_number": data["participant"].strip(),
        }
