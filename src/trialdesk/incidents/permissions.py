"""Who may record incidents and mark their notifications made (403 when not; reads are scoping's)."""

from trialdesk.core.models import User
from trialdesk.safety.permissions import can_oversee_safety

ONLY_MANAGERS = (
    "Only the study's CRM, its safety officer or an administrator record incidents and their notifications."
)


def can_manage_incidents(user: User, study_id: int) -> bool:
    """The sponsor's notifications are made by the study's CRM, its safety officer or an administrator
    (`can_oversee_safety`: the same people who submit the sponsor's safety reports)."""
    return can_oversee_safety(user, study_id)
