"""Forms of action items, issues (with CAPA), risks, QTLs and signal triage."""

from django import forms
from django.utils.translation import gettext

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.monitoring.forms.fields import PersonChoiceField, textarea
from trialdesk.monitoring.models import (
    ActionItem,
    ActionStatus,
    Effectiveness,
    Issue,
    IssueStatus,
    QualityToleranceLimit,
    Risk,
    SignalDecision,
)
from trialdesk.monitoring.selectors.people import people_at, people_on
from trialdesk.statistics.kris import kri_definitions


class ActionItemForm(RegulatedRecordForm):
    free_text_fields = ("description",)
    owner = PersonChoiceField(queryset=None, required=False)

    class Meta:
        model = ActionItem
        fields = ("description", "owner", "owner_party", "due_on", "finding")
        widgets = {"due_on": DateInput(), "description": textarea(3)}

    def __init__(self, *args, study_site, findings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_at(study_site)
        if findings is None:
            del self.fields["finding"]
        else:
            self.fields["finding"].queryset = findings
            self.fields["finding"].required = False


class ActionMoveForm(forms.Form):
    resolution = forms.CharField(required=False, max_length=20_000, widget=textarea(2), label="What was done")
    reason = forms.CharField(required=False, max_length=2000, widget=textarea(2), label="Why (to reopen)")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Not closed"), *ActionStatus.choices, ("all", "All")]
    )
    site = forms.ChoiceField(required=False)
    mine = forms.BooleanField(required=False, label="Mine only")
    overdue = forms.BooleanField(required=False, label="Overdue only")

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        self.fields["site"].choices = [("", "All sites")] + [
            (k, gettext("Site %(number)s") % {"number": s.site_number}) for k, s in self.sites.items()
        ]


class IssueForm(RegulatedRecordForm):
    owner = PersonChoiceField(queryset=None, required=False)

    class Meta:
        model = Issue
        fields = (
            "study_site",
            "title",
            "description",
            "category",
            "severity",
            "owner",
            "due_on",
            "root_cause",
            "corrective_action",
            "preventive_action",
            "effectiveness_check_on",
            "effectiveness",
        )
        widgets = {
            "due_on": DateInput(),
            "effectiveness_check_on": DateInput(),
            "description": textarea(2),
            "root_cause": textarea(2),
            "corrective_action": textarea(2),
            "preventive_action": textarea(2),
        }

    def __init__(self, *args, study, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_on(study)
        self.fields["study_site"].queryset = sites
        self.fields["study_site"].required = False
        if not self.is_edit:
            for name in (
                "root_cause",
                "corrective_action",
                "preventive_action",
                "effectiveness_check_on",
                "effectiveness",
            ):
                del self.fields[name]


class IssueMoveForm(forms.Form):
    to = forms.ChoiceField(choices=IssueStatus.choices, label="Move to")
    root_cause = forms.CharField(required=False, max_length=20_000, widget=textarea(2))
    corrective_action = forms.CharField(required=False, max_length=20_000, widget=textarea(2))
    preventive_action = forms.CharField(required=False, max_length=20_000, widget=textarea(2))
    effectiveness_check_on = forms.DateField(
        required=False, widget=DateInput, label="Effectiveness check due"
    )
    effectiveness = forms.ChoiceField(required=False, choices=[("", "—"), *Effectiveness.choices])
    reason = reason_field(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def capa_values(self) -> dict:
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("to", "reason", "version") and value not in ("", None)
        }


class RiskForm(RegulatedRecordForm):
    owner = PersonChoiceField(queryset=None, required=False)
    kri_key = forms.ChoiceField(required=False, label="Watched by KRI")

    class Meta:
        model = Risk
        fields = (
            "title",
            "category",
            "description",
            "likelihood",
            "impact",
            "detectability",
            "mitigation",
            "kri_key",
            "qtl",
            "owner",
            "review_on",
            "status",
        )
        widgets = {"review_on": DateInput(), "description": textarea(2), "mitigation": textarea(2)}

    def __init__(self, *args, study, qtls, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_on(study)
        self.fields["qtl"].queryset = qtls
        self.fields["kri_key"].choices = [("", "—"), *((d.key, d.name) for d in kri_definitions())]


class QtlForm(RegulatedRecordForm):
    class Meta:
        model = QualityToleranceLimit
        fields = ("parameter", "limit", "secondary_limit", "rationale")
        widgets = {"rationale": textarea(2)}


class TriageForm(forms.Form):
    decision = forms.ChoiceField(choices=SignalDecision.choices)
    rationale = forms.CharField(
        required=False, max_length=20_000, widget=textarea(3), help_text="Needed for no action."
    )
    owner = PersonChoiceField(
        queryset=None, required=False, help_text="For an action item: who does it (default the site's CRA)."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, study_site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_at(study_site)


class SignalCloseForm(forms.Form):
    reason = reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
