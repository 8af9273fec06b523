"""Who sees and changes recruitment records: criteria are study setup; the pool is the site's.

A pre-screening pool holds facts from a site's patient records before anyone is asked to take part, so
it is narrower than subject-level data: only the site's own staff (coordinators, investigators) and the
study's CRM see candidates (issue 18, privacy). Monitors, auditors, finance and sponsor viewers see the
counts only.
"""

from django.db.models import Q

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import NOTHING, is_administrator


def pool_filter(user: User, *, study_path: str, site_path: str) -> Q:
    """A filter keeping the pre-screening rows `user` may see: the study's CRM, the site's staff."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if is_administrator(user):
        return Q()
    mine = RoleAssignment.objects.filter(user=user)
    managed = mine.filter(role=Role.CRM, study__isnull=False, study_site__isnull=True).values("study_id")
    staffed = mine.filter(role__in=SITE_STAFF_ROLES, study_site__isnull=False).values("study_site_id")
    return Q(**{f"{study_path}__in": managed}) | Q(**{f"{site_path}__in": staffed})


def can_see_pool(user: User, study_site) -> bool:
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)


def can_work_pool(user: User, study_site) -> bool:
    """Upload candidates and approach them: the site's coordinators and investigators, the study's CRM."""
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)


def can_manage_criteria(user: User, study_id: int) -> bool:
    """The criteria, their rules and the retention period are study setup: its CRM or an administrator."""
    return can_manage_study(user, study_id)
