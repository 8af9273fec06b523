"""Schemas of the monitoring API: action items, issues, risks, QTLs, signals, oversight and carbon."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, RecordVersion
from trialdesk.monitoring.models import (
    Effectiveness,
    IssueCategory,
    IssueStatus,
    OwnerParty,
    QtlParameter,
    RiskCategory,
    RiskStatus,
    Severity,
    SignalDecision,
    TravelMode,
)
from trialdesk.monitoring.schemas.visits import REASON, VERSION, MonitoringChangeIn, MonitoringMoveIn

# Action items -------------------------------------------------------------------------------------------


class ActionItemIn(InSchema):
    study_site_id: int = Field(ge=1, le=LARGEST_INTEGER)
    description: str
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required: who does it.")
    owner_party: OwnerParty = OwnerParty.SITE
    due_on: dt.date | None = Field(None, description="Required: by when.")
    report_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="The visit report it is raised at."
    )
    finding_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    reason: str = Field("", description=REASON)


class ActionItemPatch(MonitoringChangeIn):
    description: str | None = None
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    owner_party: OwnerParty | None = None
    due_on: dt.date | None = None


class ActionMoveIn(MonitoringMoveIn):
    to: Literal["resolve", "close", "reopen"] = Field(
        description="resolve (the owner), close or reopen (the CRA)."
    )
    resolution: str = Field("", description="What was done (to resolve).")


class ActionItemOut(Schema):
    id: int
    number: int
    study_id: int
    study_site_id: int
    site_number: str
    report_id: int | None
    finding_id: int | None
    signal_id: int | None
    description: str
    owner: str | None
    owner_party: str
    raised_on: dt.date
    due_on: dt.date | None
    status: str
    overdue: bool
    resolution: str
    resolved_on: dt.date | None
    closed_on: dt.date | None
    version: int


class ActionFilters(PageQuery):
    status: str = Field("", description="open, resolved, closed; empty: all but closed.")
    study_site_id: int | None = None
    mine: bool = Field(False, description="Only those I own.")


# Issues -----------------------------------------------------------------------------------------------


class IssueIn(InSchema):
    study_site_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="Null: the study as a whole."
    )
    title: str = Field(max_length=200)
    description: str = ""
    category: IssueCategory
    severity: Severity
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required.")
    due_on: dt.date | None = Field(None, description="Required.")
    reason: str = Field("", description=REASON)


class IssuePatch(MonitoringChangeIn):
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    category: IssueCategory | None = None
    severity: Severity | None = None
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    due_on: dt.date | None = None
    root_cause: str | None = None
    corrective_action: str | None = None
    preventive_action: str | None = None
    effectiveness_check_on: dt.date | None = None
    effectiveness: Effectiveness | Literal[""] | None = None


class IssueMoveIn(MonitoringMoveIn):
    to: IssueStatus
    root_cause: str | None = None
    corrective_action: str | None = None
    preventive_action: str | None = None
    effectiveness_check_on: dt.date | None = None
    effectiveness: Effectiveness | None = None


class IssueOut(Schema):
    id: int
    number: int
    study_id: int
    study_site_id: int | None
    title: str
    description: str
    category: str
    severity: str
    source: str
    owner: str | None
    due_on: dt.date | None
    status: str
    root_cause: str
    corrective_action: str
    preventive_action: str
    effectiveness_check_on: dt.date | None
    effectiveness: str
    closed_on: dt.date | None
    finding_id: int | None
    signal_id: int | None
    qtl_id: int | None
    version: int


class IssueFilters(PageQuery):
    status: str = Field("", description="A status; empty: all but closed; all: every issue.")


# Risks and QTLs ----------------------------------------------------------------------------------------


class RiskIn(InSchema):
    title: str = Field(max_length=200)
    category: RiskCategory
    description: str = ""
    likelihood: int = Field(ge=1, le=3)
    impact: int = Field(ge=1, le=3)
    detectability: int = Field(ge=1, le=3)
    mitigation: str = ""
    kri_key: str = Field("", max_length=64, description="The KRI watching the risk.")
    qtl_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    review_on: dt.date
    reason: str = Field("", description=REASON)


class RiskPatch(MonitoringChangeIn):
    title: str | None = Field(None, max_length=200)
    category: RiskCategory | None = None
    description: str | None = None
    likelihood: int | None = Field(None, ge=1, le=3)
    impact: int | None = Field(None, ge=1, le=3)
    detectability: int | None = Field(None, ge=1, le=3)
    mitigation: str | None = None
    kri_key: str | None = Field(None, max_length=64)
    qtl_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    owner_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    review_on: dt.date | None = None
    status: RiskStatus | None = None


class RiskOut(Schema):
    id: int
    number: int
    study_id: int
    title: str
    category: str
    description: str
    likelihood: int
    impact: int
    detectability: int
    score: int
    tier: str
    mitigation: str
    kri_key: str
    qtl_id: int | None
    owner: str | None
    review_on: dt.date
    status: str
    version: int


class QtlIn(InSchema):
    parameter: QtlParameter
    limit: float = Field(ge=0, le=100, description="Per cent.")
    secondary_limit: float | None = Field(None, ge=0, le=100, description="Per cent, below the limit.")
    rationale: str = ""
    reason: str = Field("", description=REASON)


class QtlPatch(MonitoringChangeIn):
    limit: float | None = Field(None, ge=0, le=100)
    secondary_limit: float | None = Field(None, ge=0, le=100)
    rationale: str | None = None


class QtlOut(Schema):
    id: int
    study_id: int
    parameter: str
    limit: float
    secondary_limit: float | None
    rationale: str
    version: int


class QtlStatusOut(Schema):
    parameter: str
    label: str
    value: float | None = Field(description="Per cent; null with nothing to count yet.")
    limit: float | None
    secondary_limit: float | None
    status: str = Field(description='within, secondary, breach, no_data; "" without a limit.')
    numerator: int
    denominator: int
    explanation: str
    qtl_id: int | None


# Signals ------------------------------------------------------------------------------------------------


class SignalOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    site: str
    kri: str
    flag: int
    score: float | None
    metric: float | None
    opened_on: dt.date
    status: str
    decision: str | None
    rationale: str
    triaged_on: dt.date | None
    closed_on: dt.date | None
    visit_ids: list[int]
    version: int


class SignalFilters(PageQuery):
    status: str = Field("", description="open, triaged, closed; empty: all.")


class TriageIn(InSchema):
    decision: SignalDecision
    rationale: str = Field("", description="Required for no_action.")
    owner_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="For an action item: who does it."
    )
    version: RecordVersion | None = Field(None, description=VERSION)


class SignalCloseIn(MonitoringChangeIn):
    pass


# Oversight and carbon ------------------------------------------------------------------------------------


class OversightOut(Schema):
    study: str
    site: str
    study_site_id: int
    cra: str | None
    tier: str
    visits_done: int
    visits_expected: int
    median_days_to_submit: float | None
    median_days_to_approve: float | None
    reports_overdue: int
    open_items_by_age: dict[str, int]
    items_overdue: int
    sdv_coverage: float | None = Field(description="Per cent of enrolled participants source-verified.")
    sdv_target: int | None
    critical_coverage: float | None
    critical_target: int | None
    travel_days: float
    kg_co2e: float


class CarbonIn(InSchema):
    origin: str = Field(alias="from", description="LAT,LON in decimal degrees, e.g. 52.52,13.405.")
    destination: str = Field(alias="to", description="LAT,LON in decimal degrees.")
    mode: TravelMode
    round_trip: bool = False


class CarbonOut(Schema):
    distance_km: float
    routing_factor: float
    factor_kg_co2e_per_km: float
    kg_co2e: float
    source: str


class CarbonLineOut(Schema):
    label: str
    on_site: int
    remote: int
    travel_km: float
    kg_co2e: float
    remote_instead_kg: float = Field(
        description="kg CO2e of on-site interim visits the plan allowed to be remote."
    )
    unknown: int = Field(description="On-site visits without geo points or a distance (not counted).")
