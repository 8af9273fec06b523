"""Who reads and keeps the privacy records of a study (issue 20).

| who | reads | keeps |
|---|---|---|
| administrator | everything | everything |
| data protection officer (study role) | their studies' register, scan, holds, requests | the same |
| CRM (study role) | the same | the same |
| auditor (study role) | the register, transfers, retention, holds | nothing |
| everyone else | nothing of privacy | nothing |

The request log names people who asked about their own data: only those who answer requests (the data
protection officer, the CRM, an administrator) read it. The data protection officer sees no participant's
record (core.roles.SUBJECT_BLIND_ROLES): the scan shows them findings in staff-level records only, and a
count of those in participants' records.
"""

from django.db.models import Q

from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.core.scoping import NOTHING, is_administrator, role_facts, scope_filter

KEEPERS = frozenset({Role.DPO, Role.CRM})
READERS = KEEPERS | {Role.AUDITOR}
ONLY_KEEPERS = "Only the study's data protection officer, its CRM or an administrator change privacy records."


def _filter(user, roles: frozenset[str], *, study_path: str) -> Q:
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if is_administrator(user):
        return Q()
    mine = RoleAssignment.objects.filter(
        user=user, study__isnull=False, study_site__isnull=True, role__in=roles
    )
    return scope_filter(user, study_path=study_path) & Q(**{f"{study_path}__in": mine.values("study_id")})


def privacy_filter(user, *, study_path: str) -> Q:
    """Rows of privacy records `user` may read (the register's parts, holds)."""
    return _filter(user, READERS, study_path=study_path)


def request_filter(user, *, study_path: str) -> Q:
    """Rows of the data-subject request log `user` may read."""
    return _filter(user, KEEPERS, study_path=study_path)


def _study_roles(user, study_id: int) -> set[str]:
    return role_facts(user).roles_on_study(study_id) if user.is_authenticated else set()


def can_read_privacy(user, study_id: int) -> bool:
    return is_administrator(user) or bool(_study_roles(user, study_id) & READERS)


def can_keep_privacy(user, study_id: int) -> bool:
    return is_administrator(user) or bool(_study_roles(user, study_id) & KEEPERS)
