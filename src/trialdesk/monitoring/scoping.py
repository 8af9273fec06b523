"""Who sees the sponsor's side of monitoring: the plan, site set-ups, visit reports, issues, risks, QTLs
and signals are the study team's and the monitors' (CRAs') records, not the site's.

core.scoping.scope_filter opens a site's rows to everyone assigned there, site staff included; here a
site-level assignment opens them only to the site's monitors. Site staff still see their site's
monitoring visits, findings and action items (those querysets use scope_filter itself), and the issues
they own.
"""

from django.db.models import Q

from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import SUBJECT_BLIND_ROLES, Role
from trialdesk.core.scoping import NOTHING, is_administrator


def sponsor_side(
    user: User, *, study_path: str, site_path: str | None = None, subject_level: bool = False
) -> Q:
    """Like core.scoping.scope_filter, with site-level assignments counted only for monitors."""
    if not user.is_authenticated or not user.is_active:
        return NOTHING
    if is_administrator(user):
        return Q()
    study_level = RoleAssignment.objects.filter(user=user, study__isnull=False, study_site__isnull=True)
    if subject_level:
        study_level = study_level.exclude(role__in=SUBJECT_BLIND_ROLES)
    monitors = RoleAssignment.objects.filter(user=user, study_site__isnull=False, role=Role.MONITOR)
    visible = Q(**{f"{study_path}__in": study_level.values("study_id")})
    if site_path is None:
        return visible | Q(**{f"{study_path}__in": monitors.values("study_site__study_id")})
    return (
        visible
        | Q(**{f"{site_path}__in": monitors.values("study_site_id")})
        | Q(**{f"{site_path}__isnull": True, f"{study_path}__in": monitors.values("study_site__study_id")})
    )
