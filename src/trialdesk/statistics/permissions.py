"""Who may do what with a study's forecasts and recruitment plan (403 when not); reads are scoped."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study
from trialdesk.core.roles import READ_ONLY_ROLES, Role
from trialdesk.core.scoping import role_facts


def can_run_forecast(user: User, study_id: int) -> bool:
    """A what-if forecast is run by those who work on the study: its CRM or an administrator, and anyone
    holding a working role on it or at one of its sites (monitors, site staff, safety, finance). The
    read-only roles (auditors, sponsor viewers, the data protection officer) read the stored forecast."""
    if can_manage_study(user, study_id):
        return True
    facts = role_facts(user)
    working = frozenset(Role) - READ_ONLY_ROLES
    return bool(facts.roles_on_study(study_id) & working) or facts.holds_site_role_in_study(study_id, working)


def can_plan_recruitment(user: User, study_id: int) -> bool:
    """A study's recruitment plan is written by its CRM or an administrator."""
    return can_manage_study(user, study_id)
