"""The study page's Incidents tab: the latest incidents with their open notifications, and the way to
the full list and to recording one."""

from trialdesk.core.permissions import can_see_subject_level
from trialdesk.incidents import selectors
from trialdesk.incidents.permissions import can_manage_incidents

LATEST = 10


def incidents_tab(request, study) -> dict:
    hidden = not can_see_subject_level(request.user, study.pk)
    latest = [] if hidden else list(selectors.incident_list(request.user, study)[:LATEST])
    return {
        "incidents_hidden": hidden,
        "latest_incidents": latest,
        "may_record_incident": can_manage_incidents(request.user, study.pk),
    }
