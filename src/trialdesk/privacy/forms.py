"""Forms of the privacy pages: the study's settings, purposes, safeguards, legal holds and requests."""

from django import forms

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.privacy.models import (
    DataSubjectRequest,
    LegalHold,
    ProcessingPurpose,
    StudyPrivacy,
    TransferSafeguard,
)
from trialdesk.privacy.rules import bases


class StudyPrivacyForm(RegulatedRecordForm):
    class Meta:
        model = StudyPrivacy
        fields = ("sponsor_country", "trial_ended_on")
        widgets = {"trial_ended_on": DateInput}


class PurposeForm(RegulatedRecordForm):
    class Meta:
        model = ProcessingPurpose
        fields = ("category", "purpose", "legal_basis", "special_condition", "note")
        widgets = {
            "purpose": forms.TextInput(attrs={"list": "usual-purposes"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    usual_purposes = bases.USUAL_PURPOSES


class SafeguardForm(RegulatedRecordForm):
    class Meta:
        model = TransferSafeguard
        fields = ("from_country", "to_country", "safeguard", "reference")


class HoldForm(RegulatedRecordForm):
    class Meta:
        model = LegalHold
        fields = ("person", "reason", "placed_on")
        widgets = {"placed_on": DateInput}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].empty_label = "(the whole study)"


class LiftForm(forms.Form):
    lifted_on = forms.DateField(label="Lifted on", widget=DateInput)
    reason = reason_field()


class RequestForm(RegulatedRecordForm):
    class Meta:
        model = DataSubjectRequest
        fields = ("kind", "subject_kind", "person", "requester_reference", "received_on")
        widgets = {"received_on": DateInput}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].empty_label = "(a candidate: give a reference instead)"


class CloseForm(forms.Form):
    status = forms.ChoiceField(choices=[("done", "Answered"), ("refused", "Refused")])
    closed_on = forms.DateField(label="Closed on", widget=DateInput)
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ExtendForm(forms.Form):
    reason = reason_field()
    reason.label = "Why more time is needed (the person is told)"
