"""Reads of incidents and their notifications: always from what the user may see (`visible_to`)."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from trialdesk.core.models import User
from trialdesk.incidents.models import Incident, IncidentObligation, ObligationStatus
from trialdesk.safety.rules import windows
from trialdesk.studies.models import Study

# The list's sortable columns: the key in ?sort= → the ordering.
SORTS = {
    "number": "number",
    "aware_at": "aware_at",
    "kind": "kind",
    "title": "title",
    "affected": "affected_individuals",
    "open": "open_notifications",
}


def incidents_for(user: User, study: Study | None = None) -> QuerySet:
    found = Incident.objects.visible_to(user).select_related("study", "study_site")
    return found if study is None else found.filter(study=study)


def incident_list(user: User, study: Study, *, kind: str = "", sort: str = "-aware_at") -> QuerySet:
    """The study's incidents the user may see, each with its count of open notifications, sorted."""
    found = incidents_for(user, study).annotate(
        open_notifications=Count("obligations", filter=Q(obligations__status=ObligationStatus.OPEN))
    )
    if kind:
        found = found.filter(kind=kind)
    order = SORTS.get(sort.removeprefix("-"), "aware_at")
    return found.order_by(("-" if sort.startswith("-") else "") + order, "-id")


def obligations_for(user: User, incident: Incident | None = None) -> QuerySet:
    found = IncidentObligation.objects.visible_to(user).select_related("incident", "study", "submitted_by")
    return found if incident is None else found.filter(incident=incident)


def open_obligations_due(user: User, now: dt.datetime) -> QuerySet:
    """Open notifications due before the obligations board's horizon (overdue, the next 24 hours, this
    week; those "without undue delay" are due from awareness), soonest first."""
    return (
        obligations_for(user)
        .filter(status=ObligationStatus.OPEN, due_at__lt=windows.board_horizon(now))
        .order_by("due_at", "id")
    )
