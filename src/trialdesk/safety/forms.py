"""Forms of the safety pages: record an adverse event, add follow-up, mark a report submitted, filter."""

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trialdesk.core.forms import DateInput, IdentifierCheck, RegulatedRecordForm, reason_field
from trialdesk.regulatory.forms import draw_translated
from trialdesk.safety.models import (
    SERIOUSNESS_LABELS,
    ActionTaken,
    Causality,
    CommitteeReportingPolicy,
    EventOutcome,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
    StudySafetySettings,
)
from trialdesk.safety.rules.rulebook import JURISDICTIONS

EXPECTEDNESS = (
    ("", _("Not yet judged")),
    ("yes", _("Expected (listed in the RSI)")),
    ("no", _("Unexpected")),
)
AS_BOOL = {"": None, "yes": True, "no": False}


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker; the page says in which time zone the time is read."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _local(value: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """A wall-clock time typed on the page, read in `zone` (the site's or the sponsor's)."""
    if value is None:
        return None
    return value.replace(tzinfo=None).replace(tzinfo=zone)


class AdverseEventForm(IdentifierCheck, forms.Form):
    """The facts of an adverse event (version 1 with a participant, or a follow-up version)."""

    free_text_fields = ("narrative",)

    verbatim_term = forms.CharField(
        label=_("Verbatim term"), max_length=300, help_text=_("The event in the investigator's words.")
    )
    ctcae_term = forms.CharField(
        label=_("CTCAE v5.0 term"),
        max_length=200,
        widget=forms.TextInput(
            attrs={
                "list": "ctcae-terms",
                "autocomplete": "off",
                "hx-get": "/safety/ctcae/",
                "hx-trigger": "input changed delay:300ms, change",
                "hx-target": "#ctcae-help",
                "hx-swap": "outerHTML",
                "hx-include": "[name=grade]",
            }
        ),
        help_text=_("Type part of the term to see suggestions and the grade's definition."),
    )
    grade = forms.TypedChoiceField(
        label=_("Grade"),
        choices=[(g, str(g)) for g in range(1, 6)],
        coerce=int,
        widget=forms.Select(
            attrs={
                "hx-get": "/safety/ctcae/",
                "hx-target": "#ctcae-help",
                "hx-swap": "outerHTML",
                "hx-include": "[name=ctcae_term]",
            }
        ),
    )
    onset_on = forms.DateField(label=_("Onset date"), widget=DateInput)
    resolved_on = forms.DateField(label=_("Resolution date"), required=False, widget=DateInput)
    seriousness = forms.MultipleChoiceField(
        label=_("Seriousness criteria"),
        choices=list(SERIOUSNESS_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: a non-serious event."),
    )
    causality = forms.ChoiceField(
        label=_("Investigator's causality"),
        choices=[("", _("Not yet assessed")), *Causality.choices],
        required=False,
    )
    expected = forms.ChoiceField(label=_("Expectedness"), choices=EXPECTEDNESS, required=False)
    reference_safety_information = forms.ModelChoiceField(
        label=_("Reference safety information"), queryset=None, required=False
    )
    unanticipated_device_effect = forms.BooleanField(
        label=_("Unanticipated adverse device effect"), required=False
    )
    action_taken = forms.ChoiceField(
        label=_("Action taken with study treatment"), choices=ActionTaken.choices, initial=ActionTaken.UNKNOWN
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=EventOutcome.choices, initial=EventOutcome.UNKNOWN
    )
    site_aware_at = forms.DateTimeField(
        label=_("Site became aware"), widget=DateTimeInput, help_text=_("In the site's local time.")
    )
    sponsor_aware_at = forms.DateTimeField(
        label=_("Sponsor became aware"),
        widget=DateTimeInput,
        required=False,
        help_text=_(
            "In the sponsor's local time; empty: the sponsor's clocks start with the site's awareness."
        ),
    )
    device_deficiency = forms.BooleanField(
        label=_("Device deficiency that might have led to a serious adverse event"), required=False
    )
    imminent_risk = forms.BooleanField(
        label=_("Indicates an imminent risk of death, serious injury or serious illness (EU MDR: 2 days)"),
        required=False,
    )
    protocol_exemption = forms.ModelChoiceField(
        label=_("Protocol exemption from the 24-hour report"),
        queryset=None,
        required=False,
        help_text=_(
            "Only a kind of event the protocol exempts may take longer than 24 hours at an EU/UK site."
        ),
    )
    narrative = forms.CharField(
        label=_("Narrative"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(
        self, *args, references, participants=None, follow_up: bool = False, exemptions=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [(g, gettext("Grade %(grade)s") % {"grade": g}) for g in range(1, 6)]
        self.fields["reference_safety_information"].queryset = references
        self.fields["protocol_exemption"].queryset = (
            exemptions if exemptions is not None else references.none()
        )
        if follow_up:
            self.fields["received_at"] = forms.DateTimeField(
                label=_("Information received by the sponsor"),
                widget=DateTimeInput,
                required=False,
                help_text=_(
                    "In the sponsor's local time; empty: now. Day 0 of any report it makes necessary."
                ),
            )
            self.fields["significant"] = forms.BooleanField(
                label=_("Significant new information (a follow-up report of a report already made)"),
                required=False,
            )
        if participants is not None:
            self.fields = {
                "participant": forms.ModelChoiceField(
                    queryset=participants, label=_("Participant"), help_text=_("By participant number.")
                ),
                **self.fields,
            }
        self.fields["reason"] = reason_field(required=follow_up)
        if follow_up:
            self.fields["reason"].label = _("What the follow-up brings")

    def facts(self, *, site_zone: ZoneInfo, sponsor_zone: ZoneInfo) -> dict:
        """The service's keyword values, times read in the site's and the sponsor's zones."""
        data = dict(self.cleaned_data)
        data.pop("participant", None)
        data.pop("reason", None)
        data["expected"] = AS_BOOL[data["expected"]]
        data["site_aware_at"] = _local(data["site_aware_at"], site_zone)
        data["sponsor_aware_at"] = _local(data["sponsor_aware_at"], sponsor_zone)
        if "received_at" in data:
            received = _local(data.pop("received_at"), sponsor_zone)
            if received is not None:
                data["received_at"] = received
        return data


def initial_from_version(version, *, site_zone: ZoneInfo, sponsor_zone: ZoneInfo) -> dict:
    """A follow-up form starts from the latest version's facts, times shown in their local zones."""
    return {
        "verbatim_term": version.verbatim_term,
        "ctcae_term": version.ctcae_term,
        "grade": version.grade,
        "onset_on": version.onset_on,
        "resolved_on": version.resolved_on,
        "seriousness": version.seriousness,
        "causality": version.causality,
        "expected": {None: "", True: "yes", False: "no"}[version.expected],
        "reference_safety_information": version.reference_safety_information_id,
        "unanticipated_device_effect": version.unanticipated_device_effect,
        "action_taken": version.action_taken,
        "outcome": version.outcome,
        "site_aware_at": version.site_aware_at.astimezone(site_zone).replace(tzinfo=None),
        "sponsor_aware_at": version.sponsor_aware_at.astimezone(sponsor_zone).replace(tzinfo=None)
        if version.sponsor_aware_at
        else None,
        "narrative": version.narrative,
    }


class SubmissionForm(forms.Form):
    """Evidence that a report went out: when (in the reporting party's time) and its reference number."""

    submitted_at = forms.DateTimeField(
        label=_("Submitted at"), widget=DateTimeInput, help_text=_("In the reporting party's local time.")
    )
    reference_number = forms.CharField(
        label=_("Reference number"),
        max_length=100,
        required=False,
        help_text=_("The recipient's case or acknowledgement number."),
    )
    reason = reason_field(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AdverseEventFilterForm(forms.Form):
    """Filters of the AE list and the line listing (all optional; bad values are ignored)."""

    site = forms.ChoiceField(label=_("Site"), required=False)
    serious = forms.ChoiceField(
        label=_("Serious"),
        choices=[("", _("Any")), ("yes", _("Serious")), ("no", _("Non-serious"))],
        required=False,
    )
    grade = forms.ChoiceField(
        label=_("Grade"), choices=[("", _("Any"))] + [(str(g), str(g)) for g in range(1, 6)], required=False
    )
    related = forms.ChoiceField(
        label=_("Related"),
        choices=[("", _("Any")), ("yes", _("Related")), ("no", _("Not related"))],
        required=False,
    )
    onset_from = forms.DateField(label=_("Onset from"), required=False, widget=DateInput)
    onset_to = forms.DateField(label=_("to"), required=False, widget=DateInput)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [("", _("All sites"))] + [(str(s.pk), s.site_number) for s in sites]

    def params(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class SafetySettingsForm(RegulatedRecordForm):
    """How the study reports safety; the jurisdictions of its sites' countries apply anyway."""

    extra_jurisdictions = forms.MultipleChoiceField(
        label=_("Also report in"),
        choices=[(code, code) for code in JURISDICTIONS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Beyond the countries of the study's sites, e.g. US for an IND with no US site."),
    )

    class Meta:
        model = StudySafetySettings
        fields = [
            "sponsor_country",
            "sponsor_time_zone",
            "product_type",
            "site_to_sponsor_hours",
            "extra_jurisdictions",
            "development_birth_date",
        ]
        widgets = {
            "development_birth_date": DateInput,
            "sponsor_time_zone": forms.TextInput(attrs={"list": "time-zones"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draw_translated(self)


class CommitteePolicyForm(RegulatedRecordForm):
    class Meta:
        model = CommitteeReportingPolicy
        fields = [
            "name",
            "committee",
            "study_site",
            "event_kind",
            "clock",
            "length",
            "holiday_calendar",
            "citation",
        ]

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_site"].queryset = sites
        self.fields["study_site"].required = False
        draw_translated(self)


class ProtocolExemptionForm(RegulatedRecordForm):
    class Meta:
        model = ProtocolReportingExemption
        fields = ["kind_of_event", "protocol_section", "site_to_sponsor_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draw_translated(self)


class ReferenceSafetyInformationForm(RegulatedRecordForm):
    class Meta:
        model = ReferenceSafetyInformation
        fields = ["label", "effective_on", "note"]
        widgets = {"effective_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draw_translated(self)
