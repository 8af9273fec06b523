"""What the parts of the regulatory API share: the names of references in a body, the study in scope."""

from trialdesk.core.apiutils import visible_or_404
from trialdesk.studies.models import Study

# The body names a reference by its id; the services name the relation.
BODY_NAMES = {
    "ethics_committee": "ethics_committee_id",
    "authority": "authority_id",
    "protocol_version": "protocol_version_id",
    "study_site": "study_site_id",
}


def _visible_study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)
