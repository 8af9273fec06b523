"""Schemas of the participants API: screening entries, participants, consents and withdrawals, consent
versions and their site approvals, the re-consent list and the diversity plan."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery
from trialdesk.studies.schemas import REASON_FOR_CHANGE, ChangeIn
from trialdesk.subjects import consent_law
from trialdesk.subjects.models import (
    DiversityDimension,
    Ethnicity,
    ParticipantStatus,
    Race,
    ScreenFailureReason,
    ScreeningOutcome,
    ScreeningSource,
    Sex,
    WithdrawalScope,
)

NOT_REPORTED = Literal[""]
Age = int | None


class ScreeningEntryIn(InSchema):
    screening_number: str = Field(description="The site's screening number; never a name or initials.")
    screened_on: dt.date
    source: ScreeningSource = ScreeningSource.CLINIC
    source_detail: str = ""
    outcome: ScreeningOutcome = ScreeningOutcome.PENDING
    failure_reason: ScreenFailureReason | NOT_REPORTED = Field("", description="For a screen failure.")
    failure_detail: str = Field(
        "", description="Which criterion (inclusion / exclusion), or what happened (other)."
    )
    first_assessment_on: dt.date | None = Field(
        None, description="The first screening assessment (a study procedure): on or after the consent."
    )
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ScreeningEntryPatch(ChangeIn):
    screening_number: str | None = None
    screened_on: dt.date | None = None
    source: ScreeningSource | None = None
    source_detail: str | None = None
    outcome: ScreeningOutcome | None = None
    failure_reason: ScreenFailureReason | NOT_REPORTED | None = None
    failure_detail: str | None = None
    first_assessment_on: dt.date | None = None


class ScreeningEntryOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    screening_number: str
    screened_on: dt.date
    source: str
    source_detail: str
    outcome: str
    failure_reason: str
    failure_detail: str
    first_assessment_on: dt.date | None = None
    participant_id: int | None = Field(description="The participant this person was enrolled as.")
    version: int

    @staticmethod
    def resolve_participant_id(entry) -> int | None:
        participant = getattr(entry, "participant", None)
        return participant.pk if participant else None


class Demographics(InSchema):
    sex: Sex | NOT_REPORTED | None = None
    age_at_consent: Age = Field(None, ge=0, le=120, description="Whole years.")
    ethnicity: Ethnicity | NOT_REPORTED | None = None
    race: Race | NOT_REPORTED | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code, e.g. US.")


class ParticipantIn(Demographics):
    """Enroll a person who passed screening."""

    screening_entry_id: int
    enrolled_on: dt.date | None = Field(None, description="Defaults to today at the site.")
    number: str | None = Field(None, description="Defaults to the next number of the study's format.")
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ParticipantPatch(ChangeIn, Demographics):
    """Change a participant's optional demographics."""


class ParticipantOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    screening_entry_id: int | None
    number: str
    status: str
    enrolled_on: dt.date | None
    status_changed_on: dt.date | None
    end_reason: str
    sex: str
    age_at_consent: int | None
    ethnicity: str
    race: str
    country: str
    version: int


class ParticipantFilters(PageQuery):
    study_site_id: int | None = None
    status: ParticipantStatus | None = None


class ParticipantTransitionIn(ChangeIn):
    to: ParticipantStatus = Field(description="The status to move to.")
    on: dt.date | None = Field(None, description="The date of the change; defaults to today at the site.")


class ConsentIn(InSchema):
    consent_version_id: int
    signed_at: dt.datetime | None = Field(
        None, description="Required. When it was signed: ISO 8601; without an offset, the site's local time."
    )
    obtained_by: str = Field("", description="Who obtained consent; defaults to you.")
    optional_items: dict[str, bool] = Field({}, description="The person's answer to each optional item.")
    reason: str = Field(
        "",
        description="Required for a second consent on a version the person already signed (why it is "
        "recorded again); otherwise optional. Kept on the audit trail.",
    )
    signer: Literal[tuple(consent_law.SIGNERS)] = Field(
        consent_law.PARTICIPANT, description="participant, or representative (legally authorised)."
    )
    representative_relationship: str = Field("", max_length=100, description="Required for a representative.")
    minor_assent: Literal[tuple(consent_law.ASSENT)] = Field(
        "", description="For a minor: assented, or waived (by the committee)."
    )
    age_at_signing: int | None = Field(None, ge=0, le=120, description="The participant's age in years.")
    majority_on: dt.date | None = Field(
        None, description="For a minor: the day they reach the age of majority where the site is."
    )


class ConsentOut(Schema):
    id: int
    study_site_id: int
    screening_entry_id: int | None
    participant_id: int | None
    consent_version_id: int
    signed_at: dt.datetime
    obtained_by: str
    optional_items: dict[str, bool]
    signer: str
    representative_relationship: str
    minor_assent: str
    age_at_signing: int | None
    majority_on: dt.date | None
    version: int


class WithdrawalIn(InSchema):
    withdrawn_on: dt.date
    scope: WithdrawalScope = Field(
        description="full: participation ends (status withdrawn); partial: some continues."
    )
    what_continues: str = Field("", description="Required for a partial withdrawal.")
    reason: str = Field("", description="The reason given, if any.")


class WithdrawalOut(Schema):
    id: int
    participant_id: int
    withdrawn_on: dt.date
    scope: str
    what_continues: str
    version: int


class ReconsentOut(Schema):
    participant_id: int
    participant_number: str
    study_site_id: int
    consent_version_id: int = Field(description="The version newly approved at the participant's site.")
    consent_version_label: str
    language: str
    signed_version_id: int | None = Field(description="The version of the participant's latest consent.")
    approved_on: dt.date
    due_on: dt.date
    is_overdue: bool
    why: str = Field(description="A new consent version, or reaching the age of majority (and its source).")


class ConsentVersionIn(InSchema):
    protocol_version_id: int
    label: str = Field(description="The version label, e.g. 3.0.")
    language: str = Field(description="e.g. en, de, es-US.")
    effective_on: dt.date
    optional_items: list[str] = Field([], description="Optional items, e.g. Future research.")
    summary_of_changes: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ConsentVersionPatch(ChangeIn):
    protocol_version_id: int | None = None
    label: str | None = None
    language: str | None = None
    effective_on: dt.date | None = None
    optional_items: list[str] | None = None
    summary_of_changes: str | None = None


class ConsentVersionOut(Schema):
    id: int
    study_id: int
    protocol_version_id: int
    label: str
    language: str
    effective_on: dt.date
    optional_items: list[str]
    summary_of_changes: str
    version: int


class ConsentApprovalIn(InSchema):
    study_site_id: int
    approved_on: dt.date
    reference: str = Field("", description="The ethics committee's reference.")
    reason: str = Field("", description=REASON_FOR_CHANGE)


class ConsentApprovalOut(Schema):
    id: int
    consent_version_id: int
    study_site_id: int
    approved_on: dt.date
    reference: str
    version: int


class DiversityTargetIn(InSchema):
    dimension: DiversityDimension
    group: str = Field(description="A category code, an age band (18-64, 65+) or a country code.")
    target_percent: Decimal = Field(ge=0, le=100, max_digits=4, decimal_places=1)
    reason: str = Field("", description=REASON_FOR_CHANGE)


class DiversityTargetPatch(ChangeIn):
    dimension: DiversityDimension | None = None
    group: str | None = None
    target_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=4, decimal_places=1)


class DiversityTargetOut(Schema):
    id: int
    study_id: int
    dimension: str
    group: str
    target_percent: Decimal
    version: int
