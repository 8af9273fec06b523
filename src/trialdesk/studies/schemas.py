"""Schemas of the studies API: programs, studies, protocol versions, arms, milestones, audit events."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, Quantity, RecordVersion, required_reason
from trialdesk.studies.models import ArmType, MilestoneKind, Phase, ProtocolStatus, StudyStatus
from trialdesk.studies.selectors import portfolio_sorts

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."


class ChangeIn(InSchema):
    """What every update carries besides the changed fields."""

    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class ProgramIn(InSchema):
    name: str
    description: str = ""


class ProgramOut(Schema):
    id: int
    name: str
    description: str
    version: int


class StudyIn(InSchema):
    code: str = Field(description="The protocol number, unique across the installation.")
    title: str
    acronym: str = ""
    phase: Phase
    therapeutic_area: str
    sponsor: str
    nct_number: str = Field("", description="ClinicalTrials.gov identifier, NCT followed by 8 digits.")
    status: StudyStatus = StudyStatus.PLANNED
    planned_enrollment: Quantity
    blinded: bool = False
    description: str = ""
    program_id: int | None = None
    participant_number_format: str = Field(
        "{site}-{seq:03d}", description="How participant numbers are made: {site}, {seq}, {study}."
    )
    allow_over_enrollment: bool = False
    reconsent_window_days: int = Field(30, ge=1, le=365, description="Days to re-consent on a new version.")
    reason: str = Field("", description=REASON_FOR_CHANGE)


class StudyPatch(ChangeIn):
    code: str | None = None
    title: str | None = None
    acronym: str | None = None
    phase: Phase | None = None
    therapeutic_area: str | None = None
    sponsor: str | None = None
    nct_number: str | None = None
    status: StudyStatus | None = None
    planned_enrollment: Quantity | None = None
    blinded: bool | None = None
    description: str | None = None
    program_id: int | None = None
    participant_number_format: str | None = None
    allow_over_enrollment: bool | None = None
    reconsent_window_days: int | None = Field(None, ge=1, le=365)


class StudyOut(Schema):
    id: int
    code: str
    title: str
    acronym: str
    phase: str
    status: str
    therapeutic_area: str
    sponsor: str
    nct_number: str
    planned_enrollment: int
    blinded: bool
    description: str
    program_id: int | None
    participant_number_format: str
    allow_over_enrollment: bool
    reconsent_window_days: int
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class StudyListItemBase(Schema):
    """A study as the portfolio lists it; the apps' portfolio columns add their fields (studies.api)."""

    id: int
    code: str
    title: str
    acronym: str
    phase: str
    status: str
    therapeutic_area: str
    sponsor: str
    nct_number: str
    planned_enrollment: int
    blinded: bool
    program_id: int | None
    version: int


class StudyFilters(PageQuery):
    status: StudyStatus | None = None
    phase: Phase | None = None
    therapeutic_area: str = ""
    search: str = Field("", description="Part of the code, title, acronym or NCT number.")
    sort: Literal[tuple(portfolio_sorts())] = Field("code", description="A field, `-` first for descending.")


class ProtocolVersionIn(InSchema):
    number: str = Field(description="The protocol's version number, e.g. 2.0.")
    version_date: dt.date
    amendment_number: Quantity | None = None
    summary_of_changes: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ProtocolVersionPatch(ChangeIn):
    number: str | None = None
    version_date: dt.date | None = None
    amendment_number: Quantity | None = None
    summary_of_changes: str | None = None


class ProtocolVersionOut(Schema):
    id: int
    study_id: int
    number: str
    version_date: dt.date
    status: str
    amendment_number: int | None
    is_amendment: bool
    summary_of_changes: str
    submitted_on: dt.date | None
    approved_on: dt.date | None
    effective_on: dt.date | None
    version: int


class ProtocolTransitionIn(ChangeIn):
    to: ProtocolStatus = Field(description="The status to move to.")
    on: dt.date | None = Field(
        None,
        description="The submission, approval or effective date, when the move sets one (a submission "
        "defaults to today). Approval cannot predate the submission or the version date.",
    )


class ArmIn(InSchema):
    code: str
    name: str
    arm_type: ArmType = ArmType.EXPERIMENTAL
    description: str = ""
    allocation_ratio: Quantity = 1
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ArmPatch(ChangeIn):
    code: str | None = None
    name: str | None = None
    arm_type: ArmType | None = None
    description: str | None = None
    allocation_ratio: Quantity | None = None


class ArmOut(Schema):
    id: int
    study_id: int
    code: str
    name: str
    arm_type: str
    description: str
    allocation_ratio: int
    version: int


class MilestoneIn(InSchema):
    kind: MilestoneKind
    name: str = Field("", description="Required for a custom milestone.")
    study_site_id: int | None = Field(None, description="For a site milestone; empty for the whole study.")
    baseline_on: dt.date | None = None
    forecast_on: dt.date | None = None
    actual_on: dt.date | None = None
    note: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class MilestonePatch(ChangeIn):
    kind: MilestoneKind | None = None
    name: str | None = None
    study_site_id: int | None = None
    baseline_on: dt.date | None = None
    forecast_on: dt.date | None = None
    actual_on: dt.date | None = None
    note: str | None = None


class MilestoneOut(Schema):
    id: int
    study_id: int
    study_site_id: int | None
    kind: str
    name: str
    label: str
    baseline_on: dt.date | None
    forecast_on: dt.date | None
    actual_on: dt.date | None
    note: str
    variance_days: int | None = Field(description="Days after the baseline (negative: early).")
    is_late: bool
    is_done: bool
    version: int

    @staticmethod
    def resolve_variance_days(milestone) -> int | None:
        return milestone.standing().variance_days

    @staticmethod
    def resolve_is_late(milestone) -> bool:
        return milestone.standing().is_late

    @staticmethod
    def resolve_is_done(milestone) -> bool:
        return milestone.standing().is_done


class AuditEventOut(Schema):
    id: int
    occurred_at: dt.datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    study_site_id: int | None
    changes: dict = Field(description="Changed fields as {field: [old, new]}.")
    reason: str
    prev_hash: str
    hash: str
