"""Schemas of the safety API: adverse events and their versions, reporting obligations, settings."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from trialdesk.core.apiutils import InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.safety.models import ActionTaken, Causality, EventOutcome, ProductType
from trialdesk.safety.rules import rulebook, windows

Seriousness = Literal[
    "death",
    "life_threatening",
    "hospitalization",
    "disability",
    "congenital_anomaly",
    "other_medically_important",
]
REASON = "Why; kept on the audit trail."


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("Give the date and time with its UTC offset, e.g. 2025-03-01T09:30:00+01:00.")
    return value


class AdverseEventFacts(InSchema):
    verbatim_term: str = Field(max_length=300, description="The event in the investigator's words.")
    ctcae_term: str = Field(max_length=200, description="A CTCAE v5.0 term (see /ctcae-terms).")
    grade: int = Field(description="CTCAE grade 1–5.")
    onset_on: dt.date
    resolved_on: dt.date | None = None
    seriousness: list[Seriousness] = Field([], description="Seriousness criteria met; empty: not serious.")
    causality: Causality | Literal[""] = Field("", description="Investigator's causality; empty: not yet.")
    expected: bool | None = Field(None, description="Listed in the reference safety information.")
    reference_safety_information_id: int | None = None
    protocol_exemption_id: int | None = Field(
        None, description="The protocol's exemption from the 24-hour report this event falls under."
    )
    unanticipated_device_effect: bool = False
    action_taken: ActionTaken = ActionTaken.UNKNOWN
    outcome: EventOutcome = EventOutcome.UNKNOWN
    site_aware_at: dt.datetime | None = Field(
        None, description="Required. When the site became aware (ISO 8601 with offset)."
    )
    sponsor_aware_at: dt.datetime | None = Field(None, description="When the sponsor became aware.")
    narrative: str = ""

    @field_validator("site_aware_at", "sponsor_aware_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class AdverseEventIn(AdverseEventFacts):
    participant_id: int
    reason: str = Field("", description=REASON)


class FollowUpIn(InSchema):
    """Only what changed; the rest is carried over from the latest version."""

    reason: str = required_reason(f"What the follow-up brings. {REASON}")
    version: RecordVersion | None = Field(None, description="The adverse event's `version` you read.")
    verbatim_term: str | None = Field(None, max_length=300)
    ctcae_term: str | None = Field(None, max_length=200)
    grade: int | None = None
    onset_on: dt.date | None = None
    resolved_on: dt.date | None = None
    seriousness: list[Seriousness] | None = None
    causality: Causality | Literal[""] | None = None
    expected: bool | None = None
    reference_safety_information_id: int | None = None
    protocol_exemption_id: int | None = None
    unanticipated_device_effect: bool | None = None
    action_taken: ActionTaken | None = None
    outcome: EventOutcome | None = None
    site_aware_at: dt.datetime | None = None
    sponsor_aware_at: dt.datetime | None = None
    narrative: str | None = None

    @field_validator("site_aware_at", "sponsor_aware_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class AdverseEventVersionOut(Schema):
    number: int
    verbatim_term: str
    ctcae_term: str
    meddra_code: str
    grade: int
    grade_definition: str
    onset_on: dt.date
    resolved_on: dt.date | None
    seriousness: list[str]
    causality: str
    expected: bool | None
    reference_safety_information_id: int | None
    protocol_exemption_id: int | None
    unanticipated_device_effect: bool
    action_taken: str
    outcome: str
    site_aware_at: dt.datetime
    sponsor_aware_at: dt.datetime | None
    narrative: str
    recorded_by: str | None
    recorded_at: dt.datetime


class AdverseEventOut(Schema):
    id: int
    number: str
    study_id: int
    study_site_id: int
    site_number: str
    participant_id: int
    participant_number: str
    latest_version: int
    ctcae_term: str
    grade: int | None
    serious: bool
    fatal_or_life_threatening: bool
    related: bool | None
    expected: bool | None
    susar: bool
    onset_on: dt.date
    site_aware_at: dt.datetime
    version: int


class AdverseEventFilters(PageQuery):
    site: int | None = Field(None, description="A study site id.")
    serious: bool | None = None
    grade: int | None = Field(None, ge=1, le=5)
    related: bool | None = None
    susar: bool | None = Field(None, description="Only serious, unexpected, related events.")
    onset_from: dt.date | None = None
    onset_to: dt.date | None = None


class ListingQuery(PageQuery):
    format: Literal["json", "csv", "xlsx"] = Field("json", description="csv or xlsx: every row, as a file.")
    site: int | None = None
    serious: bool | None = None
    grade: int | None = Field(None, ge=1, le=5)
    related: bool | None = None
    onset_from: dt.date | None = None
    onset_to: dt.date | None = None


class ListingRowOut(Schema):
    number: str
    site: str
    participant: str
    arm: str = Field(description='The arm\'s code, "blinded" for blinded readers, empty if not randomized.')
    verbatim_term: str
    ctcae_term: str
    meddra_code: str
    grade: int
    onset_on: str
    resolved_on: str
    serious: str
    seriousness: str
    causality: str
    expected: str
    susar: str
    action_taken: str
    outcome: str
    site_aware_at: str
    version: int


class ObligationOut(Schema):
    id: int
    study_id: int
    study_code: str
    study_site_id: int | None
    adverse_event_id: int | None
    adverse_event_number: str | None
    key: str
    recipient: str
    jurisdiction: str
    rule: str
    description: str
    reporting_party: str
    clock: str
    length: int
    starts_at: dt.datetime
    due_at: dt.datetime
    due_on: dt.date
    time_zone: str
    status: str = Field(
        description="open, met, missed (an open one past its due time reads missed) or not_required"
    )
    day_zero: dt.datetime = Field(description="When the information that made the event reportable arrived.")
    verified: bool = Field(description="False: the rule's primary source could not be read (unverified).")
    standing: str
    days_late: int | None
    not_required_reason: str
    submitted_at: dt.datetime | None
    submitted_by: str | None
    reference_number: str
    version: int


class ObligationFilters(PageQuery):
    study_id: int | None = None
    status: Literal["open", "met", "missed", "not_required"] | None = None
    window: windows.Window | None = Field(
        None,
        description="Open ones overdue, due in the next 24 hours, or due after the next 24 hours and "
        "within 7 days (the obligations board's sections; the three do not overlap).",
    )
    recipient: str | None = None
    jurisdiction: str | None = None


class ObligationSubmissionIn(InSchema):
    submitted_at: dt.datetime | None = Field(None, description="When it was submitted (default: now).")
    reference_number: str = Field(
        "", max_length=100, description="The recipient's reference, e.g. a case id."
    )
    reason: str = ""
    version: RecordVersion | None = Field(None, description="The obligation's `version` you read.")

    @field_validator("submitted_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class ExcludedJurisdiction(Schema):
    code: str
    reason: str


class SafetySettingsIn(InSchema):
    sponsor_country: str = Field(
        "", description="ISO 3166-1 alpha-2; gives the zone where it keeps one clock."
    )
    sponsor_time_zone: str = Field("", description="IANA zone; needed where the country has several.")
    product_type: ProductType = ProductType.DRUG
    site_to_sponsor_hours: int = Field(24, ge=1, le=720)
    extra_jurisdictions: list[str] = Field([], description=f"Any of {', '.join(rulebook.JURISDICTIONS)}.")
    excluded_jurisdictions: list[ExcludedJurisdiction] = Field(
        [], description="Jurisdictions not reported to, each with its reason (e.g. IND-exempt study)."
    )
    development_birth_date: dt.date | None = None
    reason: str = ""
    version: RecordVersion | None = None


class SafetySettingsOut(Schema):
    study_id: int
    sponsor_country: str
    sponsor_time_zone: str
    effective_sponsor_time_zone: str = Field(description="The zone sponsor clocks count in; empty: not set.")
    product_type: str
    site_to_sponsor_hours: int
    extra_jurisdictions: list[str]
    excluded_jurisdictions: list[ExcludedJurisdiction]
    jurisdictions: list[str] = Field(description="Those from the sites' countries plus the extra ones.")
    unverified_jurisdictions: list[str] = Field(
        description="Those with a rule not checked against its source."
    )
    warnings: list[str] = Field(description="Countries without rules, a missing sponsor time zone.")
    development_birth_date: dt.date | None
    version: int | None = Field(description="Null until the settings are first saved (defaults shown).")


class CommitteePolicyIn(InSchema):
    name: str = Field(max_length=60, description="Short name; events then report to IRB:<name>.")
    committee: str = Field(max_length=200)
    event_kind: Literal[tuple(rulebook.COMMITTEE_EVENT_KINDS)]
    clock: Literal["calendar", "working"]
    length: int = Field(ge=1, le=365)
    holiday_calendar: str = Field(max_length=16, description="Country code whose holidays working days skip.")
    citation: str = Field("", max_length=300)
    study_site_id: int | None = Field(None, description="Only at this site; empty: every site.")
    reason: str = ""


class CommitteePolicyOut(Schema):
    id: int
    study_id: int
    study_site_id: int | None
    name: str
    committee: str
    event_kind: str
    clock: str
    length: int
    holiday_calendar: str
    citation: str
    active: bool
    version: int


class ReferenceSafetyInformationIn(InSchema):
    label: str = Field(max_length=40, description="e.g. IB v7.0 section 6.4")
    effective_on: dt.date
    note: str = ""
    reason: str = ""


class ReferenceSafetyInformationOut(Schema):
    id: int
    study_id: int
    label: str
    effective_on: dt.date
    note: str


class ProtocolExemptionIn(InSchema):
    kind_of_event: str = Field(max_length=200, description="e.g. Hospitalisation for a planned procedure")
    protocol_section: str = Field(max_length=60, description="e.g. section 10.3.2")
    site_to_sponsor_hours: int = Field(ge=1, le=8760, description="the limit the protocol sets instead of 24")
    reason: str = ""


class ProtocolExemptionOut(Schema):
    id: int
    study_id: int
    kind_of_event: str
    protocol_section: str
    site_to_sponsor_hours: int


class DeliveryIn(InSchema):
    sent_at: dt.datetime | None = Field(None, description="when the report went to this site or committee")
    acknowledged_at: dt.datetime | None = Field(None, description="when its receipt was acknowledged")
    acknowledgement_reference: str = Field("", max_length=100)
    reason: str = ""


class DeliveryOut(Schema):
    id: int
    obligation_id: int
    study_site_id: int | None
    recipient: str
    sent_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    acknowledgement_reference: str
    version: int


class CtcaeTermOut(Schema):
    term: str
    meddra_code: str
    soc: str
    definition: str
    grades: dict[int, str]


class CtcaeQuery(PageQuery):
    q: str = Field("", max_length=100, description="Part of a term, e.g. neutro.")
