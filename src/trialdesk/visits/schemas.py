"""Schemas of the visits API: visit definitions, participants' visits, deviations and their rates."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.visits.models import Anchor, DeviationCategory, Modality, ReviewStatus, VisitType

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."
# A schedule spans at most a few years; offsets and windows are kept to what a protocol could mean.
DayOffset = Field(ge=-3650, le=36500, description="Days after the anchor (0: the anchor day).")


class ChangeIn(InSchema):
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


# Visit definitions ------------------------------------------------------------------------------------


class VisitDefinitionIn(InSchema):
    code: str = Field(description="Short code, unique in the protocol version, e.g. W4.")
    name: str
    visit_type: VisitType
    anchor: Anchor = Anchor.RANDOMIZATION
    day_offset: int = DayOffset
    window_before_days: int = Field(0, ge=0, le=3650)
    window_after_days: int = Field(0, ge=0, le=3650)
    modalities: list[Modality] = Field(description="How the visit may take place; at least one.")
    order: int = Field(0, ge=0, le=32767)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class VisitDefinitionPatch(ChangeIn):
    code: str | None = None
    name: str | None = None
    visit_type: VisitType | None = None
    anchor: Anchor | None = None
    day_offset: int | None = Field(None, ge=-3650, le=36500)
    window_before_days: int | None = Field(None, ge=0, le=3650)
    window_after_days: int | None = Field(None, ge=0, le=3650)
    modalities: list[Modality] | None = None
    order: int | None = Field(None, ge=0, le=32767)


class VisitDefinitionOut(Schema):
    id: int
    protocol_version_id: int
    code: str
    name: str
    visit_type: str
    anchor: str
    day_offset: int
    window_before_days: int
    window_after_days: int
    modalities: list[str]
    order: int
    version: int


# Participants' visits ---------------------------------------------------------------------------------


class ScheduledVisitOut(Schema):
    id: int
    participant_id: int
    participant_number: str
    study_site_id: int
    definition_id: int | None = Field(description="Null for an unscheduled visit.")
    code: str | None
    name: str
    visit_type: str
    anchor_on: dt.date | None
    target_on: dt.date | None
    window_start_on: dt.date | None
    window_end_on: dt.date | None
    status: str
    standing: str = Field(
        description="done, done_out_of_window, missed, due, upcoming or not_expected, on the site's today."
    )
    done_on: dt.date | None
    modality: str
    out_of_window: bool
    note: str
    version: int


class VisitRecordIn(InSchema):
    """Record a scheduled visit (name it) or, without `scheduled_visit_id`, an unscheduled one."""

    scheduled_visit_id: int | None = Field(None, description="The visit to record; null: unscheduled.")
    done_on: dt.date = Field(description="The day of the visit at the site.")
    modality: Modality
    note: str = Field("", description="For an unscheduled visit: why it took place.")
    reason: str = Field("", description="Required when correcting a visit already recorded.")
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class ScheduleIn(InSchema):
    anchor: Anchor
    anchor_on: dt.date = Field(description="The anchor's day at the site, e.g. the day of randomization.")


class VisitFilters(PageQuery):
    status: str = Field("", description="scheduled or done.")


# Deviations -------------------------------------------------------------------------------------------


class DeviationIn(InSchema):
    study_site_id: int
    participant_id: int | None = Field(None, description="Null for a deviation of the site as a whole.")
    category: DeviationCategory
    important: bool = False
    description: str
    occurred_on: dt.date
    identified_on: dt.date
    corrective_action: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class DeviationPatch(ChangeIn):
    study_site_id: int | None = None
    participant_id: int | None = None
    category: DeviationCategory | None = None
    important: bool | None = None
    description: str | None = None
    occurred_on: dt.date | None = None
    identified_on: dt.date | None = None
    corrective_action: str | None = None


class DeviationReviewIn(InSchema):
    important: bool | None = Field(None, description="Settle whether it is important; null keeps it.")
    reason: str = Field("", description="Your assessment, kept on the audit trail.")
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class DeviationOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site_number: str
    participant_id: int | None
    participant_number: str | None
    scheduled_visit_id: int | None
    category: str
    important: bool
    description: str
    occurred_on: dt.date
    identified_on: dt.date
    corrective_action: str
    created_automatically: bool
    review_status: str
    reviewed_by: str | None
    reviewed_on: dt.date | None
    version: int


class DeviationFilters(PageQuery):
    study_site_id: int | None = None
    category: DeviationCategory | None = None
    important: bool | None = None
    review_status: ReviewStatus | None = None
    created_automatically: bool | None = None
    participant: str = Field("", description="Part of a participant number.")


class DeviationRateOut(Schema):
    """One site's deviations per participant-month (important ones also counted on their own)."""

    study_site_id: int
    site_number: str
    participants: int
    participant_months: float
    deviations: int
    rate: float | None = Field(description="Deviations per participant-month; null without any.")
    important: int
    important_rate: float | None
    needs_review: int
    missed_visits: int
