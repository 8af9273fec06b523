"""The start-up API's In and Out schemas."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from trialdesk.core.apiutils import InSchema, PlainTextSchema
from trialdesk.startup import rules

Gate = Literal[tuple(rules.GATE_LABELS)]


class GateQuery(PlainTextSchema):
    gate: Gate = Field(rules.ACTIVATION, description="activation (start-up) or closure (close-out).")


class TrackerItemOut(Schema):
    key: str
    label: str
    state: str = Field(description="done, pending or not_required.")
    citation: str
    detail: str
    url: str = Field(description="The record that shows it done, where one does.")
    done_on: dt.date | None
    tickable: bool = Field(description="True when nothing in Trialdesk records it: it is ticked by hand.")
    ticked_by: str
    evidence: str
    source: str = Field(description="The app whose record settles it; empty when ticked by hand.")

    @field_validator("url", mode="before")
    @classmethod
    def _resolved(cls, value):
        return str(value)  # the trackers' links are lazy (startup.sources)


class OverrideOut(Schema):
    id: int
    study_id: int
    study_site_id: int | None
    gate: str
    reason: str
    pending: list[str]
    signed_by: str
    signed_at: dt.datetime
    signature_meaning: str


class TrackerOut(Schema):
    study_site_id: int
    site_number: str
    status: str
    gate: str
    passes: bool = Field(
        description="Whether the site may pass the gate now (every item done, or overridden)."
    )
    pending: list[str]
    items: list[TrackerItemOut]
    override: OverrideOut | None


class StudyTrackerOut(Schema):
    study_id: int
    gate: str
    sites: list[TrackerOut]


class TickIn(InSchema):
    gate: Gate = rules.ACTIVATION
    item: str = Field("", max_length=80, description="Required: the item's key (from the tracker).")
    done_on: dt.date | None = Field(None, description="Required: the day it was done.")
    done_by: str = Field("", max_length=200, description="Required: who did it, by name.")
    evidence: str = Field("", description="Required: the document, reference or location showing it.")
    retain_until: dt.date | None = Field(None, description="Archiving only: the end of the retention period.")
    reason: str = Field("", max_length=2000)


class OverrideIn(InSchema):
    gate: Gate = rules.ACTIVATION
    reason: str = Field(
        "", max_length=2000, description="Required: why the site may pass with items pending."
    )
    password: str = Field("", max_length=200, description="Required: your password, as electronic signature.")


class StudyItemIn(InSchema):
    gate: Gate = rules.ACTIVATION
    key: str = Field("", max_length=60, description="Required: a slug (lower-case letters, digits, - and _).")
    label: str = Field("", max_length=200, description="Required for an item of the study's own.")
    required: bool = True
    citation: str = Field("", max_length=200)
    reason: str = Field("", max_length=2000)


class StudyItemOut(Schema):
    id: int
    gate: str
    key: str
    label: str
    required: bool
    citation: str


class TargetIn(InSchema):
    interval: str = Field(
        "", max_length=40, description="Required: one of " + ", ".join(rules.INTERVAL_LABELS)
    )
    days: int | None = Field(None, ge=1, le=3650, description="Required: the target in days.")
    reason: str = Field("", max_length=2000)


class IntervalOut(Schema):
    interval: str
    label: str
    sites: int
    median_days: float | None
    target_days: int | None
    history_median_days: float | None
    on_target: bool | None


class SiteCycleOut(Schema):
    study_site_id: int
    site: str
    country: str
    dates: dict[str, dt.date | None]
    days: dict[str, int | None]


class CycleTimesOut(Schema):
    study_id: int
    study: list[IntervalOut]
    countries: dict[str, list[IntervalOut]]
    sites: list[SiteCycleOut]


class DeadlineOut(Schema):
    key: str
    what: str
    jurisdiction: str
    counted_from: str
    due_on: dt.date | None
    citation: str


class CloseoutOut(Schema):
    study_id: int
    deadlines: list[DeadlineOut]
    sites: list[TrackerOut]
