"""Recording visits done, scheduled or unscheduled, after checking their date and modality."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.subjects.models import Participant
from trialdesk.subjects.selectors import consent_timing_problem
from trialdesk.visits import rules
from trialdesk.visits.models import ScheduledVisit, VisitStatus
from trialdesk.visits.permissions import can_record_visits
from trialdesk.visits.services.deviations import deviation_if_out_of_window, deviation_if_reconsent_overdue

ONLY_SITE_STAFF = "Only the site's coordinators and investigators, or the study's CRM, record visits."


# Recording visits ---------------------------------------------------------------------------------------


def _visit_date_checks(participant: Participant, done_on: dt.date) -> None:
    problem = rules.visit_date_problem(
        done_on,
        today=participant.study_site.local_today(),
        enrolled_on=participant.enrolled_on,
        first_consent_on=None,  # the order of consent and procedures is the subjects app's one gate
    )
    # A visit is a study procedure: never before the first consent (subjects' one gate on that order).
    problem = problem or consent_timing_problem(participant, procedure_on=done_on)
    if problem:
        raise ValidationError({"done_on": problem})


def _modality_checks(modality: str, allowed: list[str]) -> None:
    if not modality:
        raise ValidationError({"modality": gettext("Say how the visit took place.")})
    problem = rules.modality_problem(modality, allowed=allowed)
    if problem:
        raise ValidationError({"modality": problem})


@transaction.atomic
def record_visit(
    *,
    scheduled_visit: ScheduledVisit,
    done_on: dt.date,
    modality: str,
    by: User,
    reason: str = "",
    expected_version: int | None = None,
) -> ScheduledVisit:
    """Mark a visit done on `done_on` (the site's calendar) with how it took place.

    A visit outside its window is recorded, flagged, and raises a visit-window deviation waiting for
    review. A date in the future, before the
    participant's first consent or before enrollment is refused. Correcting a visit already recorded
    needs a reason. When the participant's re-consent was overdue on the visit date, a consent
    deviation is created automatically, waiting for review.
    """
    participant = scheduled_visit.participant
    require(can_record_visits(by, participant.study_site), ONLY_SITE_STAFF)
    _visit_date_checks(participant, done_on)
    _modality_checks(modality, scheduled_visit.allowed_modalities())
    if scheduled_visit.is_done and not (reason or "").strip():
        raise ValidationError(
            {"reason": gettext("Changing a visit already recorded needs a reason for change.")}
        )
    visit = records.update_record(
        scheduled_visit,
        changes={
            "status": VisitStatus.DONE,
            "done_on": done_on,
            "modality": modality,
            "out_of_window": not rules.is_in_window(
                done_on, start_on=scheduled_visit.window_start_on, end_on=scheduled_visit.window_end_on
            ),
        },
        by=by,
        reason=(reason or "").strip() or "Visit recorded",
        expected_version=expected_version,
        action="recorded",
    )
    deviation_if_reconsent_overdue(visit, by=by)
    deviation_if_out_of_window(visit, by=by)
    return visit


@transaction.atomic
def record_unscheduled_visit(
    *, participant: Participant, done_on: dt.date, modality: str, by: User, note: str = "", reason: str = ""
) -> ScheduledVisit:
    """Record a visit outside the schedule (e.g. for an adverse event); it has no window to miss."""
    require(can_record_visits(by, participant.study_site), ONLY_SITE_STAFF)
    _visit_date_checks(participant, done_on)
    _modality_checks(modality, list(rules.MODALITIES))
    visit = ScheduledVisit(
        participant=participant,
        definition=None,
        target_on=done_on,
        status=VisitStatus.DONE,
        done_on=done_on,
        modality=modality,
        note=note.strip(),
    )
    visit = records.create_record(visit, by=by, reason=reason.strip() or "Unscheduled visit recorded")
    deviation_if_reconsent_overdue(visit, by=by)
    return visit
