"""The privacy API's input and output bodies (issue 20)."""

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, RecordVersion, required_reason


class CategoryPurposeOut(Schema):
    purpose: str
    legal_basis: str
    special_condition: str | None


class CategoryOut(Schema):
    category: str
    label: str
    people: int
    data: list[str]
    purposes: list[CategoryPurposeOut]
    problems: list[str]


class RecipientOut(Schema):
    role: str
    label: str
    people: int
    sees: list[str]


class TransferOut(Schema):
    from_: str = Field(alias="from")
    to: str
    safeguard: str | None = Field(
        description="adequacy_decision, standard_contractual_clauses, other, not_required"
    )
    flagged: bool = Field(description="True where a safeguard is needed and none is recorded.")
    why: str
    seen_by: list[str]


class RetentionOut(Schema):
    record: str
    period: str
    basis: str
    kept_until: str | None = None


class RegisterOut(Schema):
    hidden: bool = Field(
        description="True for readers who hold no privacy role on the study: nothing else is given."
    )
    study: str | None = None
    sponsor: str | None = None
    sponsor_country: str | None = None
    trial_ended_on: str | None = None
    categories: list[CategoryOut] = []
    recipients: list[RecipientOut] = []
    transfers: list[TransferOut] = []
    retention: list[RetentionOut] = []
    problems: list[str] = []


class ScanFindingOut(Schema):
    record: str
    field: str
    kind: str
    excerpt: str


class ScanOut(Schema):
    hidden: bool
    findings: list[ScanFindingOut] = []
    hidden_findings: int = Field(
        0, description="Findings in records this reader may not see (participants')."
    )


class SettingsIn(InSchema):
    # No length in the schema: a study outside the caller's scope answers 404 before the body is judged.
    sponsor_country: str = Field(description="ISO 3166-1 alpha-2: where the study team works.")
    trial_ended_on: dt.date | None = None
    reason: str = Field("", max_length=2000, description="Required when changing recorded settings.")
    version: RecordVersion | None = Field(None, description="The version you read, when changing them.")


class SettingsOut(Schema):
    sponsor_country: str
    trial_ended_on: dt.date | None
    version: int


class PurposeIn(InSchema):
    category: Literal["participants", "staff", "candidates"]
    purpose: str = Field(max_length=300)
    legal_basis: Literal["6_1_a", "6_1_b", "6_1_c", "6_1_e", "6_1_f"]
    special_condition: Literal["", "9_2_a", "9_2_i", "9_2_j"] = ""
    note: str = Field("", max_length=2000)


class SafeguardIn(InSchema):
    from_country: str = Field(description="ISO 3166-1 alpha-2: whose data is seen.")
    to_country: str = Field(description="ISO 3166-1 alpha-2: where it is seen from.")
    safeguard: Literal["adequacy_decision", "standard_contractual_clauses", "other"]
    reference: str = Field("", max_length=300)


class EntryCreatedOut(Schema):
    id: int
    version: int


class HoldIn(InSchema):
    reason: str = Field(max_length=300, description="Why the records must be kept (litigation, inspection).")
    placed_on: dt.date
    person_id: int | None = Field(None, description="A person's records only; empty: the whole study's.")


class HoldOut(Schema):
    id: int
    study: str
    person: str | None
    reason: str
    placed_on: dt.date
    lifted_on: dt.date | None
    version: int


class LiftIn(InSchema):
    lifted_on: dt.date
    reason: str = required_reason("Why the hold is lifted.")
    version: RecordVersion | None = None


class RequestIn(InSchema):
    kind: Literal["access", "rectification", "erasure"]
    subject_kind: Literal["staff", "candidate"]
    person_id: int | None = Field(None, description="For a staff member: their user id.")
    requester_reference: str = Field(
        "", max_length=100, description="For a candidate: their number or a case reference, never a name."
    )
    received_on: dt.date


class RequestOut(Schema):
    id: int
    study: str
    kind: str
    subject_kind: str
    person: str | None
    requester_reference: str
    received_on: dt.date
    due_on: dt.date
    extended: bool
    status: str
    closed_on: dt.date | None
    outcome: str
    overdue: bool
    version: int


class CloseIn(InSchema):
    status: Literal["done", "refused"]
    closed_on: dt.date
    outcome: str = Field(max_length=5000)
    version: RecordVersion | None = None


class ExtendIn(InSchema):
    reason: str = required_reason("Why more time is needed (the person is told).")
    version: RecordVersion | None = None


class ErasureOut(Schema):
    data: str
    decision: str
    until: str | None
    why: str


class PersonExportOut(Schema):
    subject_kind: str
    held: dict = Field(description="Everything held about the person (account, roles, training, …).")
    erasure: list[ErasureOut]
