"""Forms for the screening log, consent versions and approvals, consents, enrollment, withdrawal,
demographics and the diversity plan. They render and check fields; the services decide."""

import datetime as dt

from django import forms
from django.utils import timezone

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.sites.rules import country_choices
from trialdesk.subjects import consent_law, services
from trialdesk.subjects.models import (
    ConsentVersion,
    DiversityDimension,
    DiversityTarget,
    Ethnicity,
    Participant,
    Race,
    ScreeningEntry,
    Sex,
    WithdrawalScope,
)


def _country_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        required=False, choices=[("", "— not reported —"), *country_choices()], label="Country"
    )


class ScreeningEntryForm(RegulatedRecordForm):
    field_order = list(services.SCREENING_FIELDS)

    class Meta:
        model = ScreeningEntry
        fields = services.SCREENING_FIELDS
        widgets = {"screened_on": DateInput, "first_assessment_on": DateInput}
        help_texts = {"screening_number": "The site's screening number: never a name or initials."}


class ConsentVersionForm(RegulatedRecordForm):
    optional_items = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. Future research, Genetic testing.",
    )

    class Meta:
        model = ConsentVersion
        fields = services.CONSENT_VERSION_FIELDS
        widgets = {"effective_on": DateInput, "summary_of_changes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, protocol_versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol_version"].queryset = protocol_versions
        self.initial["optional_items"] = "\n".join(self.instance.optional_items or [])

    def clean_optional_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["optional_items"].splitlines() if line.strip()]


class ConsentApprovalForm(forms.Form):
    """A site's ethics approval of a consent version."""

    study_site = forms.ModelChoiceField(queryset=None, label="Site")
    approved_on = forms.DateField(label="Approval date", widget=DateInput)
    reference = forms.CharField(label="Ethics committee reference", max_length=100, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_site"].queryset = sites
        self.fields["study_site"].label_from_instance = lambda s: f"{s.site_number} — {s.institution}"


class ConsentForm(forms.Form):
    """A consent signed at a site, on a date and time of the site's own clock."""

    service_fields = {"signed_at": "signed_on"}

    consent_version = forms.ModelChoiceField(queryset=None, label="Consent version signed")
    signed_on = forms.DateField(label="Date signed", widget=DateInput)
    signed_time = forms.TimeField(
        label="Time signed", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    obtained_by = forms.CharField(
        label="Consent obtained by",
        max_length=150,
        required=False,
        help_text="The member of staff who obtained consent; you, if left empty.",
    )
    signer = forms.ChoiceField(
        label="Signed by", choices=list(consent_law.SIGNERS.items()), required=False, initial="participant"
    )
    representative_relationship = forms.CharField(
        label="Representative's relationship to the participant",
        max_length=100,
        required=False,
        help_text="For a legally authorised representative: parent, legal guardian, spouse...",
    )
    minor_assent = forms.ChoiceField(
        label="A minor's assent", choices=list(consent_law.ASSENT.items()), required=False
    )
    age_at_signing = forms.IntegerField(
        label="Participant's age (years)",
        min_value=0,
        max_value=120,
        required=False,
        help_text="Required for a minor, who re-consents on reaching the age of majority where the site is.",
    )
    majority_on = forms.DateField(
        label="Reaches the age of majority on",
        required=False,
        widget=DateInput,
        help_text="For a minor, if known at the site (from the date of birth): re-consent is due that day.",
    )
    reason = reason_field(required=False)

    def __init__(self, *args, versions, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        self.fields["consent_version"].queryset = versions
        self.items = sorted({item for version in versions for item in version.optional_items})
        for index, item in enumerate(self.items):
            self.fields[f"item_{index}"] = forms.BooleanField(
                required=False, label=f"Agrees to: {item}", help_text="Only if the version signed offers it."
            )
        local_now = timezone.now().astimezone(site.zone)
        self.initial.setdefault("signed_on", local_now.date())
        self.initial.setdefault("signed_time", local_now.strftime("%H:%M"))
        self.fields["signed_time"].help_text = f"Site time ({site.institution.time_zone})."
        self.fields["reason"].label = "Reason (for a second consent on the same version)"
        self.fields["reason"].help_text = "Needed only when the person already signed this version."
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])

    def consent(self) -> dict:
        """record_consent's arguments for what was entered."""
        data = self.cleaned_data
        version = data["consent_version"]
        signed_at = dt.datetime.combine(data["signed_on"], data["signed_time"], tzinfo=self.site.zone)
        answers = {
            item: data.get(f"item_{index}", False)
            for index, item in enumerate(self.items)
            if item in version.optional_items
        }
        return {
            "consent_version": version,
            "signed_at": signed_at,
            "obtained_by": data["obtained_by"],
            "optional_items": answers,
            "reason": data["reason"],
            "signer": data["signer"] or consent_law.PARTICIPANT,
            "representative_relationship": data["representative_relationship"],
            "minor_assent": data["minor_assent"],
            "age_at_signing": data["age_at_signing"],
            "majority_on": data["majority_on"],
        }


class EnrollmentForm(forms.Form):
    """Enroll a screened person: the date, the number (or the next one) and optional demographics."""

    enrolled_on = forms.DateField(label="Enrollment date", widget=DateInput)
    number = forms.CharField(label="Participant number", max_length=40, required=False)
    sex = forms.ChoiceField(required=False, choices=[("", "— not reported —"), *Sex.choices])
    age_at_consent = forms.IntegerField(
        required=False, min_value=0, max_value=120, label="Age at consent (years)"
    )
    ethnicity = forms.ChoiceField(required=False, choices=[("", "— not reported —"), *Ethnicity.choices])
    race = forms.ChoiceField(required=False, choices=[("", "— not reported —"), *Race.choices])

    def __init__(self, *args, site, next_number: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field()
        self.initial.setdefault("enrolled_on", site.local_today())
        self.initial.setdefault("country", site.institution.country)
        self.fields[
            "number"
        ].help_text = f"Leave empty for the next number of the study's format: {next_number}."

    def enrollment(self) -> dict:
        data = self.cleaned_data
        return {
            "enrolled_on": data["enrolled_on"],
            "number": data["number"].strip() or None,
            "demographics": {name: data[name] for name in services.DEMOGRAPHIC_FIELDS if name in data},
        }


class DemographicsForm(RegulatedRecordForm):
    class Meta:
        model = Participant
        fields = services.DEMOGRAPHIC_FIELDS
        labels = {"age_at_consent": "Age at consent (years)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = _country_field()
        self.order_fields([*services.DEMOGRAPHIC_FIELDS, "version", "reason"])


class WithdrawalForm(forms.Form):
    withdrawn_on = forms.DateField(label="Withdrawal date", widget=DateInput)
    scope = forms.ChoiceField(choices=WithdrawalScope.choices, widget=forms.RadioSelect, label="Withdrawal")
    what_continues = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="e.g. follow-up by telephone; use of data and samples already collected.",
    )
    reason = reason_field(required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("withdrawn_on", site.local_today())
        self.fields["reason"].label = "Reason given (if any)"
        self.fields["reason"].help_text = "Participants need not give one; recorded on the audit trail."


class DiversityTargetForm(RegulatedRecordForm):
    class Meta:
        model = DiversityTarget
        fields = services.DIVERSITY_TARGET_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dimension"].choices = DiversityDimension.choices
        sexes = ", ".join(Sex.values)
        self.fields["group"].help_text = (
            f"Sex: {sexes}. Ethnicity: {', '.join(Ethnicity.values)}. Race: {', '.join(Race.values)}. "
            "Age: a band such as 18-64 or 65+. Country: a code such as US."
        )
