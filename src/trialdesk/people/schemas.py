"""Schemas of the people API: training records, delegation-log entries, financial disclosures."""

import datetime as dt
from enum import Enum

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, RecordVersion, required_reason
from trialdesk.people import rules
from trialdesk.people.models import TrainingKind

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."
RecordId = Field(ge=1, le=LARGEST_INTEGER)

Task = Enum("Task", {code: code for code in rules.TASK_CODES}, type=str)
StudyRole = Enum("StudyRole", {code: code for code in rules.STUDY_ROLES}, type=str)
Occasion = Enum("Occasion", {code: code for code in rules.OCCASIONS}, type=str)
InterestKind = Enum("InterestKind", {code: code for code in rules.INTEREST_KINDS}, type=str)
AmountBand = Enum("AmountBand", {code: code for code in rules.AMOUNT_BANDS}, type=str)


def _name(user) -> str:
    return user.get_full_name() or user.username


# Training ----------------------------------------------------------------------------------------------


class TrainingRecordIn(InSchema):
    staff_member_id: int = RecordId
    kind: TrainingKind
    completed_on: dt.date
    expires_on: dt.date | None = Field(None, description="Required for a GCP certificate.")
    study_site_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Where it is filed.")
    protocol_version_id: int | None = Field(
        None, ge=1, le=LARGEST_INTEGER, description="For a protocol training: the version trained on."
    )
    title: str = Field("", max_length=200)
    provider: str = Field("", max_length=200)
    certificate_reference: str = Field("", max_length=100)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class TrainingRecordPatch(InSchema):
    title: str | None = Field(None, max_length=200)
    completed_on: dt.date | None = None
    expires_on: dt.date | None = None
    provider: str | None = Field(None, max_length=200)
    certificate_reference: str | None = Field(None, max_length=100)
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class TrainingRecordOut(Schema):
    id: int
    study_id: int
    study_site_id: int | None
    staff_member_id: int
    staff_member: str
    kind: str
    title: str
    protocol_version_id: int | None
    completed_on: dt.date
    expires_on: dt.date | None
    provider: str
    certificate_reference: str
    version: int

    @staticmethod
    def resolve_staff_member(obj) -> str:
        return _name(obj.staff_member)


class TrainingFilters(PageQuery):
    staff_member_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    kind: TrainingKind | None = None


class StaffTrainingOut(Schema):
    staff_member_id: int
    staff_member: str
    training_gaps: list[str] = Field(description="What is missing for training to be current today.")


# Delegation log ----------------------------------------------------------------------------------------


class DelegationEntryIn(InSchema):
    staff_member_id: int = RecordId
    study_role: StudyRole = StudyRole("other")
    tasks: list[Task] = Field(description="Delegated task codes, at least one.")
    starts_on: dt.date
    ends_on: dt.date | None = None
    reason: str = Field("", description=REASON_FOR_CHANGE)


class SignatureIn(InSchema):
    password: str = Field(description="Your own password: the electronic signature (21 CFR 11.200).")


class DelegationEndIn(InSchema):
    ends_on: dt.date = Field(description="The last day the delegation holds.")
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class DelegationEntryOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    staff_member_id: int
    staff_member: str
    study_role: str
    tasks: list[str]
    starts_on: dt.date
    ends_on: dt.date | None
    signed_by: str | None
    signed_at: dt.datetime | None
    meaning: str
    in_force: bool = Field(description="Signed and within its dates today at the site.")
    training_gaps: list[str] = Field(description="What the person's training lacks today (empty: current).")
    version: int

    @staticmethod
    def resolve_staff_member(obj) -> str:
        return _name(obj.staff_member)

    @staticmethod
    def resolve_signed_by(obj) -> str | None:
        return _name(obj.signed_by) if obj.signed_by_id else None


# Financial disclosure ----------------------------------------------------------------------------------


class InterestIn(InSchema):
    kind: InterestKind
    amount_band: AmountBand = Field(
        description="Non-overlapping bands cut at the thresholds of 21 CFR 54.2: up_to_25k (USD 25,000 or "
        "less), over_25k_to_50k, over_50k_to_100k, over_100k, not_monetary."
    )
    description: str = Field("", max_length=500)
    publicly_traded: bool | None = Field(
        None,
        description="For an equity interest: whether the company is publicly traded (required: any equity in "
        "a company that is not is disclosed, 21 CFR 54.2(b)).",
    )


class InterestClassOut(Schema):
    significant: bool | None = Field(description="Disclosable under 21 CFR 54.2 (null: not known).")
    citation: str
    why: str
    verified: bool = Field(description="False: that paragraph was not read when the rule was written.")


class DisclosureIn(InSchema):
    investigator_id: int = RecordId
    occasion: Occasion
    disclosed_on: dt.date
    has_interests: bool = False
    interests: list[InterestIn] = []
    note: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class DisclosureOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    investigator_id: int
    investigator: str
    occasion: str
    disclosed_on: dt.date
    interests_visible: bool = Field(
        description="Whether you may see the interests: the CRM, auditors, sponsor viewers and the "
        "investigator themselves do; monitors and site staff see only that it was collected."
    )
    has_interests: bool | None
    interests: list[dict] | None
    classification: list[InterestClassOut] | None = Field(
        None, description="Each interest's 21 CFR 54.2 classification (null where the interests are hidden)."
    )
    reportable: bool | None = Field(
        None, description="Holds an interest to disclose to the FDA (null: hidden or not known)."
    )
    note: str | None
    version: int


class DueFilters(PageQuery):
    include_done: bool = Field(False, description="Also list the disclosures already collected.")


class DisclosureDueOut(Schema):
    study_site_id: int
    site_number: str
    investigator_id: int
    investigator: str
    participation_starts_on: dt.date
    occasion: str
    due_on: dt.date
    status: str = Field(description='"done", "not_yet", "due" (within 30 days) or "overdue".')
    days_overdue: int | None
    basis: str = Field(description='"law", or "policy": Trialdesk\'s own rule, not the regulation\'s.')
    citation: str
