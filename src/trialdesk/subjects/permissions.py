"""Who may change participant data (reads are governed by scoping; these answer 403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.sites.models import StudySite

# The people at a site who screen, consent and enroll its participants.
SITE_STAFF_ROLES = frozenset({Role.COORDINATOR, Role.INVESTIGATOR})


def can_record_participant_data(user: User, study_site: StudySite) -> bool:
    """A site's coordinators and investigators keep its screening log, consents and participants, and so
    may the study's CRM; monitors, auditors, sponsor viewers and finance only read."""
    if can_manage_study(user, study_site.study_id):
        return True
    return bool(role_facts(user).roles_on_site(study_site.pk) & SITE_STAFF_ROLES)


def can_manage_consent_versions(user: User, study_id: int) -> bool:
    """Consent versions, their site approvals and the diversity plan are study setup: its CRM or an
    administrator."""
    return can_manage_study(user, study_id)


def can_record_participants_in_study(user: User, study_id: int) -> bool:
    """Whether the user keeps participant data at one site of the study at least (asked before an API write
    names its site, so that a read-only role hears 403 rather than a complaint about its input)."""
    if can_manage_study(user, study_id):
        return True
    staff_sites = [site for site, roles in role_facts(user).site_roles.items() if roles & SITE_STAFF_ROLES]
    return StudySite.objects.filter(study_id=study_id, pk__in=staff_sites).exists()
