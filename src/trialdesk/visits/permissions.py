"""Who may record visits and deviations (reads are governed by scoping; these answer 403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site, can_work_at_some_site
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.sites.models import StudySite

# Monitors find many deviations at monitoring visits, so they record them too (but not visits).
DEVIATION_RECORDER_ROLES = SITE_STAFF_ROLES | {Role.MONITOR}


def can_record_visits(user: User, study_site: StudySite) -> bool:
    """A site's coordinators and investigators record its participants' visits; so may the study's CRM."""
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)


def can_record_deviations(user: User, study_site: StudySite) -> bool:
    """Site staff, the site's monitor and the CRM record a site's deviations."""
    return can_work_at_site(
        user, study_id=study_site.study_id, study_site_id=study_site.pk, roles=DEVIATION_RECORDER_ROLES
    )


def can_record_deviations_in_study(user: User, study_id: int) -> bool:
    """Whether the user may record deviations at some site of the study (asked before reading input)."""
    return can_work_at_some_site(user, study_id, roles=DEVIATION_RECORDER_ROLES)


def can_record_visits_in_study(user: User, study_id: int) -> bool:
    """Whether the user may record visits at some site of the study (asked before reading input)."""
    return can_work_at_some_site(user, study_id)


def can_review_deviations(user: User, study_id: int) -> bool:
    """Reviewing (and deleting a mistaken entry) is the study's oversight: its CRM or an administrator."""
    return can_manage_study(user, study_id)


def can_manage_schedule(user: User, study_id: int) -> bool:
    """A protocol's schedule of activities is study setup: its CRM or an administrator."""
    return can_manage_study(user, study_id)
