"""Writes for schedules of activities, participants' visits and protocol deviations.

Each checks permission, validates, saves and audits in one transaction (core.records), except the
bulk scheduling path for imports, which writes many visits at once in SQL under one summary audit event
per study site (docs/adr/0004-bulk-visit-scheduling.md).
"""

from trialdesk.visits.services.deviations import (
    DEVIATION_FIELDS,
    ONLY_DEVIATION_RECORDERS,
    ONLY_REVIEWERS,
    create_deviation,
    delete_deviation,
    deviation_if_out_of_window,
    deviation_if_reconsent_overdue,
    review_deviation,
    update_deviation,
)
from trialdesk.visits.services.recording import ONLY_SITE_STAFF, record_unscheduled_visit, record_visit
from trialdesk.visits.services.schedule import (
    DEFINITION_FIELDS,
    ONLY_SCHEDULE_MANAGERS,
    create_visit_definition,
    delete_visit_definition,
    update_visit_definition,
)
from trialdesk.visits.services.scheduling import (
    schedule_on_enrollment,
    schedule_visits,
    schedule_visits_bulk,
    site_date,
)

__all__ = [
    "DEFINITION_FIELDS",
    "DEVIATION_FIELDS",
    "ONLY_DEVIATION_RECORDERS",
    "ONLY_REVIEWERS",
    "ONLY_SCHEDULE_MANAGERS",
    "ONLY_SITE_STAFF",
    "create_deviation",
    "create_visit_definition",
    "delete_deviation",
    "delete_visit_definition",
    "deviation_if_out_of_window",
    "deviation_if_reconsent_overdue",
    "record_unscheduled_visit",
    "record_visit",
    "review_deviation",
    "schedule_on_enrollment",
    "schedule_visits",
    "schedule_visits_bulk",
    "site_date",
    "update_deviation",
    "update_visit_definition",
]
