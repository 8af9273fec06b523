"""Who may tick start-up and close-out items, set the study's checklist and sign overrides (403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site
from trialdesk.core.roles import Role

TICKERS = frozenset({Role.COORDINATOR, Role.INVESTIGATOR, Role.MONITOR})
ONLY_TICKERS = "Only the study's CRM, or the site's coordinators, investigators and monitors, tick its items."
ONLY_CRM = "Only the study's CRM or an administrator does this."


def can_tick_items(user: User, *, study_id: int, study_site_id: int) -> bool:
    return can_work_at_site(user, study_id=study_id, study_site_id=study_site_id, roles=TICKERS)


def can_manage_startup(user: User, study_id: int) -> bool:
    """The study's checklist items, targets and overrides are the CRM's (with an electronic signature)."""
    return can_manage_study(user, study_id)
