"""Who may change what. Reads are governed by scoping; these answer the write questions (403 when not)."""

from django.core.exceptions import PermissionDenied

from trialdesk.core.models import User
from trialdesk.core.roles import SITE_STAFF_ROLES, SUBJECT_BLIND_ROLES, Role
from trialdesk.core.scoping import is_administrator, role_facts


def can_manage_study(user: User, study_id: int) -> bool:
    """A study's setup (protocol, arms, milestones, sites) is changed by its CRM or an administrator."""
    if is_administrator(user):
        return True
    return Role.CRM in role_facts(user).roles_on_study(study_id)


def can_create_study(user: User) -> bool:
    """Administrators and anyone who manages a portfolio (a CRM somewhere) may set up a new study."""
    return is_administrator(user) or role_facts(user).has_role_anywhere(Role.CRM)


def can_manage_institutions(user: User) -> bool:
    return can_create_study(user)


def can_work_at_site(
    user: User, *, study_id: int, study_site_id: int, roles: frozenset[str] = SITE_STAFF_ROLES
) -> bool:
    """Participant work at a site is done by those holding `roles` there (by default its coordinators
    and investigators), and by the study's CRM or an administrator."""
    return can_manage_study(user, study_id) or bool(role_facts(user).roles_on_site(study_site_id) & roles)


def can_work_at_some_site(user: User, study_id: int, roles: frozenset[str] = SITE_STAFF_ROLES) -> bool:
    """Whether the user may do such work at one site of the study at least (asked before an API write
    names its site, so that a read-only role hears 403 rather than a complaint about its input)."""
    return can_manage_study(user, study_id) or role_facts(user).holds_site_role_in_study(study_id, roles)


def can_see_subject_level(user: User, study_id: int) -> bool:
    """Whether the user reads the study's participant-level records (participants, adverse events, their
    audit events) at some of its sites; sponsor viewers see aggregate figures only, and pages say that
    such records are hidden rather than showing an empty list."""
    if is_administrator(user):
        return True
    facts = role_facts(user)
    if facts.roles_on_study(study_id) - SUBJECT_BLIND_ROLES:
        return True
    return facts.holds_site_role_in_study(study_id, frozenset(Role) - SUBJECT_BLIND_ROLES)


def require(allowed: bool, message: str = "You may not change this record.") -> None:
    if not allowed:
        raise PermissionDenied(message)
