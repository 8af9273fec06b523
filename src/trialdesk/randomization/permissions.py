"""Who may randomize a participant, unblind one in an emergency, and grant unblinded access."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.subjects.models import Participant

# An emergency unblinding is a medical decision: the site's investigator, the study's safety officer
# or CRM, or an administrator.
UNBLINDING_SITE_ROLES = frozenset({Role.INVESTIGATOR})
UNBLINDING_STUDY_ROLES = frozenset({Role.CRM, Role.SAFETY})


def may_randomize(user: User, participant: Participant) -> bool:
    """Site staff randomize their own site's participants; so may the study's CRM and administrators."""
    return can_work_at_site(user, study_id=participant.study_id, study_site_id=participant.study_site_id)


def may_unblind(user: User, participant: Participant) -> bool:
    if is_administrator(user):
        return True
    facts = role_facts(user)
    return bool(
        UNBLINDING_STUDY_ROLES & facts.roles_on_study(participant.study_id)
        or UNBLINDING_SITE_ROLES & facts.roles_on_site(participant.study_site_id)
    )


def may_grant_unblinded_access(user: User, study_id: int) -> bool:
    return can_manage_study(user, study_id)
