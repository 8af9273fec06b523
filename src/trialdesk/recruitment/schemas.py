"""In and Out schemas of the recruitment API: criteria, pre-screening figures, pools, candidates."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, RecordVersion, required_reason

RULE_DESCRIPTION = (
    'null, or {"kind": "age"|"sex"|"condition"|"observation"|"medication", ...} as `trialdesk eligibility '
    'parse` writes it; an observation: {"code": {"system", "code"}, "comparator": ">="|">"|"<="|"<"|"=", '
    '"value", "unit"}.'
)


class CriterionIn(InSchema):
    section: Literal["inclusion", "exclusion"]
    text: str = Field(min_length=1, max_length=4000)
    rule: dict[str, Any] | None = Field(None, description=RULE_DESCRIPTION)
    rule_confirmed: bool = Field(False, description="Use the rule to pre-screen (a person checked it).")
    position: int | None = Field(None, ge=1, le=1000, description="Its place in its section; default: last.")


class CriterionPatch(InSchema):
    section: Literal["inclusion", "exclusion"] | None = None
    text: str | None = Field(None, min_length=1, max_length=4000)
    rule: dict[str, Any] | None = Field(None, description=RULE_DESCRIPTION)
    rule_confirmed: bool | None = None
    position: int | None = Field(None, ge=1, le=1000)
    reason: str = required_reason("Why the criterion changes; kept on the audit trail.")
    version: RecordVersion | None = None


class CriterionOut(Schema):
    id: int
    study_id: int
    label: str = Field(description="I1, I2, … E1, …")
    section: str
    position: int
    text: str
    rule: dict[str, Any] | None
    rule_confirmed: bool
    source: str
    version: int


class SiteCountsOut(Schema):
    study_site_id: int
    site_number: str
    eligible: int
    unknown: int
    ineligible: int
    approached: int


class CostlyCriterionOut(Schema):
    criterion_id: int
    label: str
    text: str
    excluded: int = Field(
        description="Candidates this criterion rules out (an inclusion not met, an exclusion met)."
    )
    share: float = Field(description="Of the candidates screened at the sites you see.")


class PrescreeningOut(Schema):
    retention_days: int
    sites: list[SiteCountsOut]
    costly_criteria: list[CostlyCriterionOut]


class PoolOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site_number: str


class UploadOut(Schema):
    id: int
    pool_id: int
    file_name: str
    candidate_count: int
    uploaded_on: dt.date


class CriterionResultOut(Schema):
    criterion_id: int
    label: str
    text: str
    result: Literal["met", "not_met", "unknown", "manual"]
    because: str


class CandidateOut(Schema):
    id: int
    pool_id: int
    candidate: str = Field(description="The candidate key (never a name).")
    status: Literal["eligible", "ineligible", "unknown"]
    screened_on: dt.date | None
    screening_number: str | None = Field(description="The screening log entry once approached.")
    criteria: list[CriterionResultOut]


class CandidateFilters(PageQuery):
    status: Literal["eligible", "ineligible", "unknown"] | None = None
    order: Literal["key", "-key", "status", "-status", "screened", "-screened"] = "key"


class ApproachIn(InSchema):
    screening_number: str = Field(min_length=1, max_length=40, pattern=r"\S")
    screened_on: dt.date | None = None
