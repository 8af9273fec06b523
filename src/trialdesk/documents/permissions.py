"""Who may file essential documents and set a study's TMF profile (reads are governed by scoping)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import role_facts

# A site's investigator file is kept by its staff and checked (and completed) by its monitor.
SITE_FILING_ROLES = SITE_STAFF_ROLES | {Role.MONITOR}
ONLY_FILERS = (
    "Only the study's CRM files trial and country documents; site documents are also filed by the "
    "site's coordinators, investigators and monitor."
)
ONLY_MANAGERS = "Only the study's CRM or an administrator sets the study's TMF profile."


def can_file(user: User, *, study_id: int, study_site_id: int | None) -> bool:
    if study_site_id is None:
        return can_manage_study(user, study_id)
    return can_work_at_site(user, study_id=study_id, study_site_id=study_site_id, roles=SITE_FILING_ROLES)


def can_file_somewhere(user: User, study_id: int) -> bool:
    """Whether the user may file some document of the study (asked before the input names its site)."""
    return can_manage_study(user, study_id) or role_facts(user).holds_site_role_in_study(
        study_id, SITE_FILING_ROLES
    )
