"""Forms of the recruitment pages: a criterion and its rule, a criteria text to import, the retention
period, a file of candidates, and approaching a candidate."""

from django import forms

from trialdesk.core.forms import DateInput, RegulatedRecordForm
from trialdesk.interop.eligibility.candidates import CSV_HELP
from trialdesk.recruitment.models import EligibilityCriterion, PrescreeningPolicy
from trialdesk.recruitment.services import CRITERION_FIELDS

RULE_HELP = (
    'JSON, e.g. {"kind": "observation", "code": {"system": "http://loinc.org", "code": "751-8"}, '
    '"comparator": ">=", "value": 1.5, "unit": "10*9/L"}; leave empty for an item checked by hand.'
)


class CriterionForm(RegulatedRecordForm):
    class Meta:
        model = EligibilityCriterion
        fields = CRITERION_FIELDS
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "rule": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"rule": RULE_HELP, "position": "Leave empty to add it at the end of its section."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = self.is_edit


class CriteriaTextForm(forms.Form):
    text = forms.CharField(
        label="Criteria text",
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text='As in the protocol or the registry: "Inclusion Criteria:" and "Exclusion Criteria:" '
        "headings, "
        "one item per bullet or numbered line. Each item gets a suggested rule where a pattern states it; "
        "check and confirm each one.",
    )


class RetentionForm(RegulatedRecordForm):
    class Meta:
        model = PrescreeningPolicy
        fields = ("retention_days",)


class CandidateFileForm(forms.Form):
    file = forms.FileField(
        label="Candidates",
        help_text="A FHIR R4 Bundle (.json: Patient, Condition, Observation, MedicationStatement) or the CSV "
        f"template (.csv: {CSV_HELP}). De-identified: a candidate key, never a name.",
    )


class ApproachForm(forms.Form):
    screening_number = forms.CharField(
        max_length=40, help_text="The screening number the site gives the person: never a name or initials."
    )
    screened_on = forms.DateField(label="Screening date", widget=DateInput, required=False)
