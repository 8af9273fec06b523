"""Who may record visits and deviations (reads are governed by scoping; these answer 403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.sites.models import StudySite

# The people at a site who see participants and write down what happened at their visits.
SITE_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.INVESTIGATOR})


def can_record_visits(user: User, study_site: StudySite) -> bool:
    """A site's coordinators and investigators record its participants' visits; so may the study's CRM."""
    if can_manage_study(user, study_site.study_id):
        return True
    return bool(role_facts(user).roles_on_site(study_site.pk) & SITE_STAFF_ROLES)


def can_record_deviations(user: User, study_site: StudySite) -> bool:
    """Site staff and the CRM record a site's deviations, and so does its monitor, who finds many of
    them at monitoring visits."""
    if can_record_visits(user, study_site):
        return True
    return Role.MONITOR in role_facts(user).roles_on_site(study_site.pk)


def can_record_deviations_in_study(user: User, study_id: int) -> bool:
    """Whether the user may record deviations at some site of the study (asked before reading input)."""
    if can_manage_study(user, study_id):
        return True
    facts = role_facts(user)
    recorders = SITE_STAFF_ROLES | {Role.MONITOR}
    site_ids = [site_id for site_id, roles in facts.site_roles.items() if roles & recorders]
    return StudySite.objects.filter(study_id=study_id, pk__in=site_ids).exists()


def can_record_visits_in_study(user: User, study_id: int) -> bool:
    """Whether the user may record visits at some site of the study (asked before reading input)."""
    if can_manage_study(user, study_id):
        return True
    facts = role_facts(user)
    site_ids = [site_id for site_id, roles in facts.site_roles.items() if roles & SITE_STAFF_ROLES]
    return StudySite.objects.filter(study_id=study_id, pk__in=site_ids).exists()


def can_review_deviations(user: User, study_id: int) -> bool:
    """Reviewing (and deleting a mistaken entry) is the study's oversight: its CRM or an administrator."""
    return can_manage_study(user, study_id)


def can_manage_schedule(user: User, study_id: int) -> bool:
    """A protocol's schedule of activities is study setup: its CRM or an administrator."""
    return can_manage_study(user, study_id)
