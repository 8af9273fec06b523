"""Participants of a study, identified only by their study participant number, with the screening log,
consent versions and their site approvals, each participant's consents, and the study's diversity plan."""

from trialdesk.subjects.models.consent import (
    Consent,
    ConsentApproval,
    ConsentVersion,
    ConsentWithdrawal,
    WithdrawalScope,
)
from trialdesk.subjects.models.diversity import DIVERSITY_CATEGORIES, DiversityDimension, DiversityTarget
from trialdesk.subjects.models.participants import (
    Ethnicity,
    Participant,
    ParticipantQuerySet,
    ParticipantStatus,
    Race,
    Sex,
    StudyRecordQuerySet,
    StudyWideQuerySet,
)
from trialdesk.subjects.models.screening import (
    ScreenFailureReason,
    ScreeningEntry,
    ScreeningOutcome,
    ScreeningSource,
)

__all__ = [
    "DIVERSITY_CATEGORIES",
    "Consent",
    "ConsentApproval",
    "ConsentVersion",
    "ConsentWithdrawal",
    "DiversityDimension",
    "DiversityTarget",
    "Ethnicity",
    "Participant",
    "ParticipantQuerySet",
    "ParticipantStatus",
    "Race",
    "ScreenFailureReason",
    "ScreeningEntry",
    "ScreeningOutcome",
    "ScreeningSource",
    "Sex",
    "StudyRecordQuerySet",
    "StudyWideQuerySet",
    "WithdrawalScope",
]
