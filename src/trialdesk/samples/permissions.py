"""Who may change sample records (403 when not; reads are scoping's)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts

ONLY_MANAGERS = (
    "Only the study's CRM, its supply manager or an administrator keep laboratories, sample types, "
    "permits and the laboratories' receipts."
)
ONLY_SITE_STAFF = "Only the site's coordinators and investigators, or the study's CRM, record its samples."
ONLY_SHIPPERS = (
    "Only the site's coordinators and investigators, the study's CRM or its supply manager ship its samples."
)


def can_manage_samples(user: User, study_id: int) -> bool:
    """The study's sample logistics (laboratories, types, permits, receipts): its CRM, its supply
    manager (issue 17's new role) or an administrator."""
    if can_manage_study(user, study_id):
        return True
    return Role.SUPPLY_MANAGER in role_facts(user).roles_on_study(study_id)


def can_collect_samples(user: User, *, study_id: int, study_site_id: int) -> bool:
    """Samples are taken from participants by the site's staff (or recorded by the study's CRM)."""
    return can_work_at_site(user, study_id=study_id, study_site_id=study_site_id)


def can_ship_samples(user: User, *, study_id: int, study_site_id: int) -> bool:
    """A site ships its own samples; the study's CRM and supply manager may record it for the site."""
    return can_manage_samples(user, study_id) or can_work_at_site(
        user, study_id=study_id, study_site_id=study_site_id
    )
