"""Writes for participants and what leads to them: the screening log, consent, enrollment, status and the
diversity plan. Each checks permission, validates, saves and audits in one transaction."""

from trialdesk.subjects.services.consent import (
    CONSENT_VERSION_FIELDS,
    create_consent_version,
    record_consent,
    record_consent_approval,
    update_consent_version,
    withdraw_consent,
)
from trialdesk.subjects.services.diversity import (
    DIVERSITY_TARGET_FIELDS,
    create_diversity_target,
    delete_diversity_target,
    update_diversity_target,
)
from trialdesk.subjects.services.participants import (
    DEMOGRAPHIC_FIELDS,
    change_participant_status,
    enroll_participant,
    mark_randomized,
    update_participant,
)
from trialdesk.subjects.services.screening import (
    SCREENING_FIELDS,
    create_screening_entry,
    update_screening_entry,
)

__all__ = [
    "CONSENT_VERSION_FIELDS",
    "DEMOGRAPHIC_FIELDS",
    "DIVERSITY_TARGET_FIELDS",
    "SCREENING_FIELDS",
    "change_participant_status",
    "create_consent_version",
    "create_diversity_target",
    "create_screening_entry",
    "delete_diversity_target",
    "enroll_participant",
    "mark_randomized",
    "record_consent",
    "record_consent_approval",
    "update_consent_version",
    "update_diversity_target",
    "update_participant",
    "update_screening_entry",
    "withdraw_consent",
]
