"""Who may do what with a study's forecasts and recruitment plan (403 when not); reads are scoped."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts


def can_run_forecast(user: User, study_id: int) -> bool:
    """A what-if forecast stores nothing and shows study-wide figures and the per-site rows of the sites
    the user may see — what the Forecast tab already shows — so everyone who may read the study's
    enrollment figures may play with one: every role on the study or at one of its sites, the read-only
    ones (auditors, sponsor viewers, the data protection officer) included, and administrators."""
    facts = role_facts(user)
    if facts.is_administrator or facts.roles_on_study(study_id):
        return True
    return facts.holds_site_role_in_study(study_id, frozenset(Role))


def can_plan_recruitment(user: User, study_id: int) -> bool:
    """A study's recruitment plan is written by its CRM or an administrator."""
    return can_manage_study(user, study_id)
