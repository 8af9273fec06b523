"""Schemas of the monitoring API: plans and site set-ups, visits due, visits, reports and their parts."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.monitoring.models import (
    FindingCategory,
    MonitoringModality,
    MonitoringVisitType,
    ReviewKind,
    Severity,
    Tier,
    TierModality,
    TravelMode,
)

REASON = "Why; kept on the audit trail."
VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."


class MonitoringMoveIn(InSchema):
    """A move or a save the service records with a reason of its own when none is given."""

    reason: str = Field("", description=REASON)
    version: RecordVersion | None = Field(None, description=VERSION)


class MonitoringChangeIn(MonitoringMoveIn):
    """A change of a record: the service requires its reason."""

    reason: str = required_reason(REASON)


# Plans and site set-ups ---------------------------------------------------------------------------------


class TierRuleIn(InSchema):
    interval_days: int | None = Field(None, ge=7, le=365)
    modality: TierModality | None = None
    remote_allowed: bool | None = None
    sdv_percent: int | None = Field(None, ge=0, le=100)
    sdr_percent: int | None = Field(None, ge=0, le=100)
    critical_sdv_percent: int | None = Field(None, ge=0, le=100)


class PlanIn(InSchema):
    """A new plan version: fields left out are carried over from the version in force (or defaults)."""

    effective_on: dt.date = Field(description="The day this version comes into force.")
    first_imv_weeks: int | None = Field(None, ge=1, le=52)
    cov_within_days: int | None = Field(None, ge=1, le=365)
    qualification_required: bool | None = None
    report_due_working_days: int | None = Field(None, ge=1, le=60)
    approval_due_working_days: int | None = Field(None, ge=1, le=60)
    escalation_days: int | None = Field(None, ge=0, le=365)
    for_cause_within_days: int | None = Field(None, ge=1, le=180)
    signal_triage_days: int | None = Field(None, ge=1, le=60)
    primary_endpoint_visits: str | None = Field(
        None, max_length=200, description="Visit codes, comma-separated."
    )
    notes: str | None = None
    tier_rules: dict[Tier, TierRuleIn] | None = Field(
        None, description="Per tier (low, medium, high): what changes."
    )
    reason: str = Field("", description="Required for a version after the first. " + REASON)


class TierRuleOut(Schema):
    tier: str
    interval_days: int
    modality: str
    remote_allowed: bool
    sdv_percent: int
    sdr_percent: int
    critical_sdv_percent: int


class PlanOut(Schema):
    id: int
    study_id: int
    number: int
    effective_on: dt.date
    first_imv_weeks: int
    cov_within_days: int
    qualification_required: bool
    report_due_working_days: int
    approval_due_working_days: int
    escalation_days: int
    for_cause_within_days: int
    signal_triage_days: int
    primary_endpoint_visits: str
    notes: str
    tier_rules: list[TierRuleOut]
    version: int

    @staticmethod
    def resolve_tier_rules(plan) -> list:
        return list(plan.tier_rules.all())


class SetupIn(MonitoringMoveIn):
    cra_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    backup_cra_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    tier_override: Tier | Literal[""] | None = Field(
        None, description='A tier set by hand; "" returns to the computed tier.'
    )
    site_latitude: float | None = Field(None, ge=-90, le=90)
    site_longitude: float | None = Field(None, ge=-180, le=180)
    cra_base: str | None = Field(None, max_length=200)
    cra_base_latitude: float | None = Field(None, ge=-90, le=90)
    cra_base_longitude: float | None = Field(None, ge=-180, le=180)
    travel_mode: TravelMode | None = None
    typed_distance_km: float | None = Field(None, ge=0, le=40_000)


class SetupOut(Schema):
    study_site_id: int
    site_number: str
    cra_id: int | None
    cra: str | None
    backup_cra_id: int | None
    backup_cra: str | None
    tier_override: str
    tier: str = Field(description="The tier in force: set by hand, else from the KRI flags and open issues.")
    tier_points: int
    tier_reasons: list[str]
    site_latitude: float | None
    site_longitude: float | None
    cra_base: str
    cra_base_latitude: float | None
    cra_base_longitude: float | None
    travel_mode: str
    typed_distance_km: float | None
    version: int | None = Field(description="Null while the site has no set-up yet.")


class DueOut(Schema):
    study: str
    site: str
    study_site_id: int
    visit_type: str
    modality: str
    due_on: dt.date
    overdue_days: int
    reason: str
    cra: str | None


# Visits, reports and their parts ----------------------------------------------------------------------


class MonitoringVisitIn(InSchema):
    study_site_id: int = Field(ge=1, le=LARGEST_INTEGER)
    visit_type: MonitoringVisitType
    modality: MonitoringModality = MonitoringModality.ON_SITE
    planned_on: dt.date
    cra_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Default: the site's CRA.")
    purpose: str = ""
    travel_mode: TravelMode | Literal[""] = ""
    travel_distance_km: float | None = Field(None, ge=0, le=40_000)
    round_trip: bool = True
    travel_days: float = Field(0, ge=0, le=60)
    reason: str = Field("", description=REASON)


class MonitoringVisitPatch(MonitoringChangeIn):
    visit_type: MonitoringVisitType | None = None
    modality: MonitoringModality | None = None
    planned_on: dt.date | None = None
    cra_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    purpose: str | None = None
    travel_mode: TravelMode | Literal[""] | None = None
    travel_distance_km: float | None = Field(None, ge=0, le=40_000)
    round_trip: bool | None = None
    travel_days: float | None = Field(None, ge=0, le=60)
    conducted_on: dt.date | None = None
    conducted_end_on: dt.date | None = None


class MonitoringVisitMoveIn(MonitoringMoveIn):
    to: Literal["confirm", "conduct", "cancel"] = Field(
        description="confirm (the letter is sent), conduct, cancel."
    )
    confirmed_on: dt.date | None = None
    conducted_on: dt.date | None = Field(None, description="Default: today at the site.")
    conducted_end_on: dt.date | None = None
    travel_mode: TravelMode | None = None
    travel_distance_km: float | None = Field(None, ge=0, le=40_000)
    round_trip: bool | None = None
    travel_days: float | None = Field(None, ge=0, le=60)


class MonitoringVisitOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site_number: str
    visit_type: str
    modality: str
    status: str
    cra: str | None
    planned_on: dt.date
    confirmed_on: dt.date | None
    conducted_on: dt.date | None
    conducted_end_on: dt.date | None
    purpose: str
    signal_id: int | None
    travel_mode: str
    travel_distance_km: float | None
    round_trip: bool
    travel_days: float
    travel_km: float | None
    kg_co2e: float | None
    carbon_source: str
    report_id: int | None
    version: int


class MonitoringVisitFilters(PageQuery):
    study_site_id: int | None = None
    status: str = ""
    visit_type: MonitoringVisitType | None = None


class AnswerIn(InSchema):
    answer: Literal["yes", "no", "na", ""] = ""
    comment: str = ""


class ReportPatch(MonitoringMoveIn):
    answers: dict[str, AnswerIn] | None = Field(
        None, description="Answers by question key, merged with those given before."
    )
    summary: str | None = None


class ReportSignIn(InSchema):
    password: str = Field(description="Your password: the electronic signature (21 CFR 11.200).")
    version: RecordVersion | None = Field(None, description=VERSION)


class ReportReturnIn(InSchema):
    comments: str = Field(description="What the CRA is to change.")
    version: RecordVersion | None = Field(None, description=VERSION)


class QuestionOut(Schema):
    key: str
    section: str
    text: str
    required: bool


class SignatureOut(Schema):
    signer: str
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    report_version: int
    content_sha256: str


class ReportOut(Schema):
    id: int
    visit_id: int
    study_id: int
    study_site_id: int
    visit_type: str
    status: str
    due_on: dt.date
    answers: dict
    summary: str
    submitted_at: dt.datetime | None
    returned_at: dt.datetime | None
    approved_at: dt.datetime | None
    review_comments: str
    questions: list[QuestionOut]
    unanswered: list[str] = Field(description="Required questions still without an answer.")
    signatures: list[SignatureOut]
    version: int


class FindingIn(InSchema):
    category: FindingCategory
    severity: Severity
    description: str
    reason: str = Field("", description=REASON)


class FindingPatch(MonitoringChangeIn):
    category: FindingCategory | None = None
    severity: Severity | None = None
    description: str | None = None


class FindingDeviationIn(InSchema):
    participant_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="Null: the site as a whole."
    )
    occurred_on: dt.date
    important: bool | None = Field(None, description="Null: important unless the finding is minor.")
    description: str = Field("", description="Empty: the finding's.")


class FindingOut(Schema):
    id: int
    report_id: int
    study_site_id: int
    number: int
    category: str
    severity: str
    description: str
    deviation_id: int | None
    version: int


class SourceReviewIn(InSchema):
    participant_id: int = Field(ge=1, le=LARGEST_INTEGER)
    scheduled_visit_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    kind: ReviewKind = ReviewKind.SDV
    critical_data: bool = False
    note: str = Field("", max_length=500)


class SourceReviewOut(Schema):
    id: int
    report_id: int
    participant_id: int
    participant_number: str
    scheduled_visit_id: int | None
    kind: str
    critical_data: bool
    note: str
    version: int
