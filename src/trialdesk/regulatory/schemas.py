"""Schemas of the regulatory API: committees, authorities, submissions, approvals, amendment checklists."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.regulatory.models import CommitteeType, ManualItem, Outcome, SubmissionKind
from trialdesk.regulatory.rules import review

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
REGULATED_BY_HELP = "A US IRB's decision: fda (21 CFR 56) or common_rule (45 CFR 46 only); empty: not stated."
EXEMPTION_HELP = (
    "The IRB's determination that continuing review is not required (45 CFR 46.109(f)(1)): expedited, "
    "limited_review or data_analysis; never for FDA-regulated research (21 CFR 56.109(f))."
)
RegulatedBy = Literal[tuple(review.REGULATED_BY)]
Exemption = Literal[tuple(review.EXEMPTION_CHOICES)]
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."
Months = Field(None, ge=1, le=60)
Days = Field(None, ge=0, le=365)


class ChangeIn(InSchema):
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


# Committees and authorities ---------------------------------------------------------------------------


class CommitteeIn(InSchema):
    name: str = Field(max_length=200)
    country: str = Field(description="ISO 3166-1 alpha-2, e.g. DE.")
    committee_type: CommitteeType
    continuing_review_months: int | None = Field(
        None, ge=1, le=60, description="Empty when the committee has no periodic continuing review."
    )
    safety_report_days: int | None = Days
    deviation_report_days: int | None = Days
    wants_annual_progress_report: bool = False
    reporting_policy: str = ""
    contact_email: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class CommitteePatch(ChangeIn):
    name: str | None = Field(None, max_length=200)
    country: str | None = None
    committee_type: CommitteeType | None = None
    continuing_review_months: int | None = Months
    safety_report_days: int | None = Days
    deviation_report_days: int | None = Days
    wants_annual_progress_report: bool | None = None
    reporting_policy: str | None = None
    contact_email: str | None = None


class CommitteeOut(Schema):
    id: int
    name: str
    country: str
    committee_type: str
    continuing_review_months: int | None
    safety_report_days: int | None
    deviation_report_days: int | None
    wants_annual_progress_report: bool
    reporting_policy: str
    contact_email: str
    version: int


class CommitteeFilters(PageQuery):
    country: str | None = Field(None, description="Only committees of this country.")


class AuthorityOut(Schema):
    id: int
    code: str
    name: str
    countries: list[str]
    region: str
    portal: str


# Submissions and their decisions ----------------------------------------------------------------------


class SubmissionIn(InSchema):
    kind: SubmissionKind
    submitted_on: dt.date
    study_site_id: int | None = Field(
        None, description="The site it concerns; empty: a country or the study."
    )
    country: str = Field("", description="ISO country code it concerns (taken from the site when given).")
    ethics_committee_id: int | None = Field(None, description="Either a committee …")
    authority_id: int | None = Field(None, description="… or an authority.")
    protocol_version_id: int | None = Field(None, description="Required for an amendment.")
    reference: str = Field("", max_length=100)
    documents_included: list[str] = Field(default_factory=list, description="Names of the documents sent.")
    outcome: Outcome | None = None
    decided_on: dt.date | None = Field(None, description="The approval or decision date.")
    expires_on: dt.date | None = None
    conditions: str = ""
    regulated_by: RegulatedBy = Field("", description=REGULATED_BY_HELP)
    continuing_review_exemption: Exemption = Field("", description=EXEMPTION_HELP)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class SubmissionPatch(ChangeIn):
    kind: SubmissionKind | None = None
    submitted_on: dt.date | None = None
    reference: str | None = Field(None, max_length=100)
    documents_included: list[str] | None = None
    conditions: str | None = None


class DecisionIn(ChangeIn):
    outcome: Outcome
    decided_on: dt.date = Field(description="The approval or decision date.")
    expires_on: dt.date | None = None
    conditions: str = ""
    reference: str | None = Field(None, max_length=100)
    regulated_by: RegulatedBy | None = Field(None, description=REGULATED_BY_HELP)
    continuing_review_exemption: Exemption | None = Field(None, description=EXEMPTION_HELP)


class SubmissionOut(Schema):
    id: int
    study_id: int
    study_site_id: int | None
    country: str
    ethics_committee_id: int | None
    authority_id: int | None
    recipient: str
    kind: str
    protocol_version_id: int | None
    reference: str
    documents_included: list[str]
    submitted_on: dt.date
    outcome: str
    decided_on: dt.date | None
    expires_on: dt.date | None
    conditions: str
    regulated_by: str
    continuing_review_exemption: str
    version: int


class SubmissionFilters(PageQuery):
    kind: SubmissionKind | None = None
    study_site_id: int | None = None


class EthicsStandingOut(Schema):
    study_site_id: int
    site: str
    approved_on: dt.date | None = Field(description="The approval in force today at the site.")
    valid_until: dt.date | None = Field(description="Its last day (continuing review due); null: no expiry.")
    days_left: int | None
    countdown: str
    enrollment_block: str | None = Field(description="Why enrollment is refused today, or null.")
    basis: str = Field("", description="Why the approval runs that long (or does not lapse).")
    basis_citation: str = Field("", description="The law it follows (countries/*.json).")
    basis_verified: bool = Field(True, description="False: that source was not read; check it.")
    report_due: dt.date | None = Field(
        None, description="The next periodic report the country asks for; never an expiry."
    )


class ActivationItemOut(Schema):
    label: str
    citation: str
    state: str
    detail: str


# Amendments -------------------------------------------------------------------------------------------


class AmendmentIn(InSchema):
    changes_consent: bool = Field(True, description="The amendment brings a new consent version.")
    changes_schedule: bool = Field(False, description="Its visit schedule applies to ongoing participants.")
    note: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ChecklistItemOut(Schema):
    item: str
    label: str
    state: str = Field(description="done, pending, blocked, not_required or unknown.")
    detail: str


class SiteChecklistOut(Schema):
    study_site_id: int
    site: str
    country: str
    done: int
    applicable: int
    items: list[ChecklistItemOut]
    reconsent_pending: list[str] = Field(description="Participant numbers (empty for sponsor viewers).")
    reconsent_pending_count: int


class AmendmentOut(Schema):
    id: int
    study_id: int
    protocol_version_id: int
    protocol_version: str
    started_on: dt.date
    changes_consent: bool
    changes_schedule: bool
    note: str
    version: int
    sites_without_ethics_approval: list[str]
    sites: list[SiteChecklistOut]


class TaskIn(InSchema):
    study_site_id: int
    item: ManualItem
    done_on: dt.date
    note: str = Field("", max_length=300)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class TaskOut(Schema):
    id: int
    implementation_id: int
    study_site_id: int
    item: str
    done_on: dt.date
    note: str
    version: int


class DeviationRecordedOut(Schema):
    id: int
    study_site_id: int
    participant_id: int | None
    occurred_on: dt.date
    description: str
