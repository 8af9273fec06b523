"""Forms for the committee directory, submissions and their decisions, and amendment checklists."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, RegulatedRecordForm, reason_field
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.models import EthicsCommittee, ManualItem, Outcome, Submission
from trialdesk.regulatory.rules import review


def translated(choices) -> list:
    """Choices with their labels drawn in the reader's language (listed in regulatory/labels.py)."""
    return [(value, _(label)) for value, label in choices]


def draw_translated(form) -> None:
    """The model's labels, help texts and choices of `form`'s fields in the reader's language (listed in
    this app's labels.py so that makemessages finds them)."""
    for field in form.fields.values():
        if field.label:
            field.label = gettext(str(field.label))
        if field.help_text:
            field.help_text = gettext(str(field.help_text))
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.choices = [
                (value, gettext(str(label)) if label else label) for value, label in field.choices
            ]


class CommitteeForm(RegulatedRecordForm):
    class Meta:
        model = EthicsCommittee
        fields = services.COMMITTEE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draw_translated(self)


class SubmissionForm(RegulatedRecordForm):
    """A submission for the study, a country or one site, to a committee or an authority."""

    class Meta:
        model = Submission
        fields = services.SUBMISSION_FIELDS
        widgets = {
            "submitted_on": DateInput,
            "decided_on": DateInput,
            "expires_on": DateInput,
            "documents_included": forms.Textarea(attrs={"rows": 3}),
            "conditions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, study, sites, committees, protocol_versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.study = study
        self.fields["study_site"].queryset = sites
        self.fields["study_site"].empty_label = _("— the whole study or a country —")
        self.fields["ethics_committee"].queryset = committees
        self.fields["authority"].queryset = selectors.authorities()
        self.fields["protocol_version"].queryset = protocol_versions
        draw_translated(self)

    def _post_clean(self):
        # The service validates the whole record (and names the field at fault) when it saves.
        pass


class DecisionForm(forms.Form):
    """The committee's or authority's decision on a submission."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", _("— outcome —")), *translated(Outcome.choices)]
    )
    decided_on = forms.DateField(label=_("Approval / decision date"), widget=DateInput)
    expires_on = forms.DateField(label=_("Approval expiry date"), required=False, widget=DateInput)
    conditions = forms.CharField(
        label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    regulated_by = forms.ChoiceField(
        label=_("Reviewed under (a US IRB)"), choices=translated(review.REGULATED_BY.items()), required=False
    )
    continuing_review_exemption = forms.ChoiceField(
        label=_("Continuing review"),
        choices=translated(review.EXEMPTION_CHOICES.items()),
        required=False,
        help_text=_(
            "45 CFR 46.109(f)(1): the IRB may decide that Common Rule research needs none; "
            "FDA-regulated research is reviewed at least yearly (21 CFR 56.109(f))."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = reason_field()


class StartAmendmentForm(forms.Form):
    """What the amendment changes at sites, which decides the checklist's items."""

    changes_consent = forms.BooleanField(
        label=_("Brings a new consent version (participants re-consent)"), required=False, initial=True
    )
    changes_schedule = forms.BooleanField(
        label=_("Its visit schedule applies to ongoing participants"), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TickItemForm(forms.Form):
    """Tick a manual checklist item at a site with the date it was done."""

    service_fields = {"study_site": "study_site"}

    study_site = forms.ModelChoiceField(queryset=None, label=_("Site"), empty_label=_("— site —"))
    item = forms.ChoiceField(label=_("Item"), choices=[("", _("— item —")), *translated(ManualItem.choices)])
    done_on = forms.DateField(label=_("Done on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_site"].queryset = sites
