"""Forms of the people pages: a training record, a delegation, its signature and end, a disclosure."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.core.esign import MISSING_PASSWORD
from trialdesk.core.forms import DateInput, reason_field
from trialdesk.people import rules
from trialdesk.people.models import TrainingKind


class TrainingRecordForm(forms.Form):
    """A training one of the study's staff completed."""

    staff_member = forms.ModelChoiceField(queryset=None, label="Staff member")
    kind = forms.ChoiceField(choices=TrainingKind.choices)
    study_site = forms.ModelChoiceField(queryset=None, required=False, label="Filed at site")
    protocol_version = forms.ModelChoiceField(
        queryset=None, required=False, help_text="For a protocol training: the version trained on."
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="e.g. ICH E6(R3) GCP, EDC user training"
    )
    completed_on = forms.DateField(label="Completion date", widget=DateInput)
    expires_on = forms.DateField(
        label="Expiry date", widget=DateInput, required=False, help_text="Required for a GCP certificate."
    )
    provider = forms.CharField(max_length=200, required=False)
    certificate_reference = forms.CharField(max_length=100, required=False)

    def __init__(self, *args, people, sites, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = people
        self.fields["study_site"].queryset = sites
        self.fields["protocol_version"].queryset = versions


class DelegationForm(forms.Form):
    """A line of the delegation log: who, in which role, which tasks, from when."""

    staff_member = forms.ModelChoiceField(queryset=None, label="Staff member")
    study_role = forms.ChoiceField(
        label="Role on the study", choices=[("", "---------"), *rules.STUDY_ROLES.items()]
    )
    tasks = forms.MultipleChoiceField(
        choices=list(rules.TASKS.items()), widget=forms.CheckboxSelectMultiple, label="Delegated tasks"
    )
    starts_on = forms.DateField(label="Start date", widget=DateInput)
    ends_on = forms.DateField(label="End date", widget=DateInput, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = staff


class SignDelegationForm(forms.Form):
    """The investigator's electronic signature on a delegation."""

    password = forms.CharField(
        label="Your password (electronic signature)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": MISSING_PASSWORD},
        help_text='Signing means "delegation approved": the person may perform these tasks at the site.',
    )


class EndDelegationForm(forms.Form):
    """The last day a delegation holds, and why it ends."""

    ends_on = forms.DateField(label="Last day", widget=DateInput)
    reason = reason_field()
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


INTEREST_ROWS = 3


class DisclosureForm(forms.Form):
    """A financial disclosure collected from an investigator (up to three interests on the page)."""

    investigator = forms.ModelChoiceField(queryset=None)
    occasion = forms.ChoiceField(choices=list(rules.OCCASIONS.items()))
    disclosed_on = forms.DateField(label="Date collected", widget=DateInput)
    has_interests = forms.BooleanField(label="Interests to disclose", required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, investigators, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["investigator"].queryset = investigators
        blank = [("", "—")]
        for n in range(1, INTEREST_ROWS + 1):
            self.fields[f"interest_{n}_kind"] = forms.ChoiceField(
                label=gettext("Interest %(n)s: kind") % {"n": n},
                choices=blank + list(rules.INTEREST_KINDS.items()),
                required=False,
            )
            self.fields[f"interest_{n}_amount_band"] = forms.ChoiceField(
                label=gettext("Interest %(n)s: amount") % {"n": n},
                choices=blank + list(rules.AMOUNT_BANDS.items()),
                required=False,
            )
            self.fields[f"interest_{n}_publicly_traded"] = forms.ChoiceField(
                label=gettext("Interest %(n)s: equity in a publicly traded company?") % {"n": n},
                choices=[("", "— (equity only)"), ("yes", "Yes"), ("no", "No: any amount is disclosed")],
                required=False,
            )
            self.fields[f"interest_{n}_description"] = forms.CharField(
                label=gettext("Interest %(n)s: description") % {"n": n}, max_length=500, required=False
            )

    def clean(self):
        cleaned = super().clean()
        interests = []
        for n in range(1, INTEREST_ROWS + 1):
            kind, band = cleaned.get(f"interest_{n}_kind"), cleaned.get(f"interest_{n}_amount_band")
            if not kind and not band:
                continue
            if not (kind and band):
                self.add_error(
                    f"interest_{n}_kind", ValidationError(gettext("Give both the kind and the amount band."))
                )
                continue
            interest = {
                "kind": kind,
                "amount_band": band,
                "description": cleaned.get(f"interest_{n}_description", ""),
            }
            public = {"yes": True, "no": False}.get(cleaned.get(f"interest_{n}_publicly_traded") or "")
            if public is not None:
                interest["publicly_traded"] = public
            interests.append(interest)
        cleaned["interests"] = interests
        return cleaned
