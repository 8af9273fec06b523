"""Reads for participants, the screening log, consents, re-consent, recruitment and diversity.

Each list starts from what the user may see.
"""

from trialdesk.subjects.selectors.consent_timing import consent_timing_problem, person_first_consent_on
from trialdesk.subjects.selectors.diversity import DiversityComparison, diversity_comparison
from trialdesk.subjects.selectors.reconsent import (
    ReconsentItem,
    approved_versions_at,
    current_versions_at,
    reconsent_due,
    reconsent_worklist,
)
from trialdesk.subjects.selectors.records import (
    approvals_for,
    consent_versions_for,
    consents_for,
    consents_of_screening_for,
    diversity_targets_for,
    enrolled_count,
    first_consent_on,
    next_participant_number,
    participants_for,
    screening_entries_for,
    withdrawals_for,
)
from trialdesk.subjects.selectors.recruitment import (
    Funnel,
    FunnelRow,
    recruitment_funnel,
    recruitment_numbers,
)

__all__ = [
    "DiversityComparison",
    "Funnel",
    "FunnelRow",
    "ReconsentItem",
    "approvals_for",
    "approved_versions_at",
    "consent_timing_problem",
    "consent_versions_for",
    "consents_for",
    "consents_of_screening_for",
    "current_versions_at",
    "diversity_comparison",
    "diversity_targets_for",
    "enrolled_count",
    "first_consent_on",
    "next_participant_number",
    "participants_for",
    "person_first_consent_on",
    "reconsent_due",
    "reconsent_worklist",
    "recruitment_funnel",
    "recruitment_numbers",
    "screening_entries_for",
    "withdrawals_for",
]
