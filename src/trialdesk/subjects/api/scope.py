"""Look-ups in the user's scope for the participants API (404 outside it), and the names it gives fields."""

from django.shortcuts import get_object_or_404

from trialdesk.core.apiutils import actor
from trialdesk.core.apiutils import visible_or_404 as visible  # noqa: F401 - re-exported to the API modules
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.selectors import studies_for
from trialdesk.subjects.permissions import can_record_participant_data
from trialdesk.subjects.services.screening import SITE_STAFF_ONLY

# The services name relations; the API names their ids.
API_NAMES = {
    "screening_entry": "screening_entry_id",
    "consent_version": "consent_version_id",
    "protocol_version": "protocol_version_id",
    "study_site": "study_site_id",
    "status": "to",
}
TEXT_DEMOGRAPHICS = ("sex", "ethnicity", "race", "country")


def visible_study(request, study_id: int):
    return get_object_or_404(studies_for(actor(request)), pk=study_id)


def require_site_staff(request, site: StudySite) -> None:
    require(can_record_participant_data(actor(request), site), SITE_STAFF_ONLY)


def demographics_values(values: dict) -> dict:
    """Demographic values as the model keeps them: a text field not reported is empty, not null."""
    return {
        name: ("" if value is None and name in TEXT_DEMOGRAPHICS else value) for name, value in values.items()
    }
