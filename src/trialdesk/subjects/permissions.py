"""Who may change participant data (reads are governed by scoping; these answer 403 when not)."""

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site, can_work_at_some_site
from trialdesk.sites.models import StudySite


def can_record_participant_data(user: User, study_site: StudySite) -> bool:
    """A site's coordinators and investigators keep its screening log, consents and participants, and so
    may the study's CRM; monitors, auditors, sponsor viewers and finance only read."""
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk)


def can_manage_consent_versions(user: User, study_id: int) -> bool:
    """Consent versions, their site approvals and the diversity plan are study setup: its CRM or an
    administrator."""
    return can_manage_study(user, study_id)


def can_record_participants_in_study(user: User, study_id: int) -> bool:
    """Whether the user keeps participant data at one site of the study at least."""
    return can_work_at_some_site(user, study_id)
