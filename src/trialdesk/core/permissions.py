"""Who may change what. Reads are governed by scoping; these answer the write questions (403 when not)."""

from django.core.exceptions import PermissionDenied

from trialdesk.core.models import User
from trialdesk.core.roles import Role
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


def require(allowed: bool, message: str = "You may not change this record.") -> None:
    if not allowed:
        raise PermissionDenied(message)
