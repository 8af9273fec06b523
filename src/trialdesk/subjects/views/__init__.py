"""Pages for the screening log, consent versions and site approvals, participants (consent, withdrawal,
status, demographics), enrollment and the diversity plan."""

from trialdesk.subjects.views.participants import (
    enroll,
    participant_consent,
    participant_demographics,
    participant_detail,
    participant_status,
    participant_withdrawal,
    screening_consent,
    screening_entry_edit,
    screening_log,
)
from trialdesk.subjects.views.setup import (
    consent_approval_create,
    consent_version_create,
    consent_version_detail,
    consent_version_edit,
    diversity_target_create,
    diversity_target_delete,
    diversity_target_edit,
)

__all__ = [
    "consent_approval_create",
    "consent_version_create",
    "consent_version_detail",
    "consent_version_edit",
    "diversity_target_create",
    "diversity_target_delete",
    "diversity_target_edit",
    "enroll",
    "participant_consent",
    "participant_demographics",
    "participant_detail",
    "participant_status",
    "participant_withdrawal",
    "screening_consent",
    "screening_entry_edit",
    "screening_log",
]
