"""The incidents API's In and Out schemas."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.incidents import rules
from trialdesk.safety.event_file import AWARE_HINT

Kind = Literal[rules.KINDS]
Jurisdiction = Literal[rules.JURISDICTIONS]
Risk = Literal[rules.RISKS]
HipaaRole = Literal[rules.HIPAA_ROLES]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(AWARE_HINT)
    return value


class IncidentIn(InSchema):
    """A new incident: the facts its notification clocks run on."""

    study_site_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Null: the whole study.")
    kind: Kind
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    # Required, but checked by the service (422 naming the field) so that the path is looked up first.
    aware_at: dt.datetime | None = Field(
        None, description="Required: when the sponsor became aware, ISO 8601 with its UTC offset."
    )
    jurisdictions: list[Jurisdiction] = Field([], max_length=3, description="Required: one or more.")
    sponsor_timezone: str = Field(max_length=64, description="IANA zone of the reporting party.")
    affected_individuals: int = Field(ge=0, le=LARGEST_INTEGER)
    risk_to_individuals: Risk = "risk"
    hipaa_role: HipaaRole = "covered_entity"
    residents_by_state: dict[str, int] | None = Field(
        None, description='Affected residents by US State, e.g. {"CA": 620} (HIPAA media notice).'
    )
    measures: str = ""
    reason: str = ""

    @field_validator("aware_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class IncidentPatch(InSchema):
    """A change of an incident's facts; its notifications follow. A value left out is kept."""

    study_site_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    kind: Kind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, min_length=1)
    aware_at: dt.datetime | None = None
    jurisdictions: list[Jurisdiction] | None = Field(None, min_length=1, max_length=3)
    sponsor_timezone: str | None = Field(None, max_length=64)
    affected_individuals: int | None = Field(None, ge=0, le=LARGEST_INTEGER)
    risk_to_individuals: Risk | None = None
    hipaa_role: HipaaRole | None = None
    residents_by_state: dict[str, int] | None = None
    measures: str | None = None
    reason: str = required_reason("Why the facts changed; kept on the audit trail.")
    version: RecordVersion | None = Field(None, description="The `version` you read (or send If-Match).")

    @field_validator("aware_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class IncidentOut(Schema):
    id: int
    study_id: int
    study_code: str
    study_site_id: int | None
    number: str
    kind: str
    title: str
    description: str
    aware_at: dt.datetime = Field(description="In the sponsor's zone (sponsor_timezone).")
    jurisdictions: list[str]
    sponsor_timezone: str
    affected_individuals: int
    residents_by_state: dict[str, int] | None
    risk_to_individuals: str
    hipaa_role: str
    measures: str
    open_notifications: int
    warnings: list[str]
    version: int


class IncidentObligationOut(Schema):
    """One notification, with the fields of `trialdesk incidents clocks` and its evidence."""

    id: int
    incident_id: int
    incident_number: str
    study_id: int
    key: str
    recipient: str
    jurisdiction: str
    rule: str
    description: str
    reporting_party: str
    clock: str = Field(description="hours, calendar, working or without_undue_delay (no fixed period).")
    length: int
    starts_at: dt.datetime
    due_at: dt.datetime = Field(description="In the reporting party's zone (time_zone).")
    due_on: dt.date
    time_zone: str
    status: str = Field(
        description="open, met, missed (an open one past its due time reads missed), not_required"
    )
    not_required_reason: str
    verified: bool
    submitted_at: dt.datetime | None
    submitted_by: str | None
    reference_number: str
    version: int


class IncidentFilters(PageQuery):
    kind: Kind | None = None


class NotificationMadeIn(InSchema):
    submitted_at: dt.datetime | None = Field(
        None, description="When it was made, with offset (default: now)."
    )
    reference_number: str = Field("", max_length=100, description="The recipient's reference.")
    reason: str = ""
    version: RecordVersion | None = Field(None, description="The notification's `version` you read.")

    @field_validator("submitted_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)
