"""The people a monitoring record may name: a site's CRAs, those who may own an action item or issue."""

from django.db.models import Q, QuerySet

from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


def monitors_of(study_site: StudySite) -> QuerySet[User]:
    """The site's monitors (CRAs): those holding the monitor role there."""
    return User.objects.filter(
        role_assignments__study_site=study_site, role_assignments__role=Role.MONITOR, is_active=True
    ).distinct()


def people_at(study_site: StudySite) -> QuerySet[User]:
    """Whoever holds a role at the site, and the study's CRMs: those who may own its action items."""
    at_site = Q(role_assignments__study_site=study_site)
    crm = Q(role_assignments__study_id=study_site.study_id, role_assignments__role=Role.CRM)
    return User.objects.filter(at_site | crm, is_active=True).distinct().order_by("username")


def people_on(study: Study) -> QuerySet[User]:
    """Whoever holds a role on the study or at one of its sites (owners of issues and risks)."""
    on_study = Q(role_assignments__study=study) | Q(role_assignments__study_site__study=study)
    return User.objects.filter(on_study, is_active=True).distinct().order_by("username")
