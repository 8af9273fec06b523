"""Who may record adverse events, assess causality and submit reports (403 when not; reads are scoping's)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site, can_work_at_some_site
from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.sites.models import StudySite


def is_safety_officer(user: User, study_id: int) -> bool:
    return Role.SAFETY in role_facts(user).roles_on_study(study_id)


def can_oversee_safety(user: User, study_id: int) -> bool:
    """Study-level safety work (settings, sponsor reports): the CRM, the safety officer, an administrator."""
    return can_manage_study(user, study_id) or is_safety_officer(user, study_id)


def can_record_adverse_events(user: User, study_site: StudySite) -> bool:
    """A site's coordinators and investigators record its participants' events; so do the CRM and the
    study's safety officer (who often takes an SAE report by telephone)."""
    return can_work_at_site(
        user, study_id=study_site.study_id, study_site_id=study_site.pk
    ) or is_safety_officer(user, study_site.study_id)


def can_record_adverse_events_in_study(user: User, study_id: int) -> bool:
    """Asked before an API write names its participant, so a read-only role hears 403 first."""
    return can_work_at_some_site(user, study_id) or is_safety_officer(user, study_id)


def can_submit_obligation(user: User, *, study_id: int, study_site_id: int | None, party: str) -> bool:
    """A site's report is submitted by its staff (or the study's safety overseers); a sponsor's report
    by the study's CRM, safety officer or an administrator."""
    if can_oversee_safety(user, study_id) or is_administrator(user):
        return True
    return (
        party == "site"
        and study_site_id is not None
        and can_work_at_site(user, study_id=study_id, study_site_id=study_site_id)
    )
