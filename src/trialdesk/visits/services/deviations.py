"""Writes for protocol deviations: recorded by site staff, reviewed by the CRM, or detected at a visit."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.studies.models import Study
from trialdesk.subjects.selectors import reconsent_due
from trialdesk.visits import rules
from trialdesk.visits.models import DeviationCategory, ProtocolDeviation, ReviewStatus, ScheduledVisit
from trialdesk.visits.permissions import can_record_deviations, can_review_deviations

DEVIATION_FIELDS = (
    "study_site",
    "participant",
    "category",
    "important",
    "description",
    "occurred_on",
    "identified_on",
    "corrective_action",
)


ONLY_DEVIATION_RECORDERS = "Only the site's staff and monitor, or the study's CRM, record its deviations."
ONLY_REVIEWERS = "Only the study's CRM or an administrator reviews or deletes deviations."


def deviation_if_reconsent_overdue(visit: ScheduledVisit, *, by: User | None) -> ProtocolDeviation | None:
    """Create a consent deviation when the participant's re-consent was overdue on the visit date.

    Re-consent is the subjects app's business; without it (or without an overdue re-consent) nothing
    happens. One automatic deviation per visit at most, so correcting the visit date adds no second one.
    """
    participant = visit.participant
    due = reconsent_due(participant, on=visit.done_on)
    if due is None or not due.is_overdue:
        return None
    if visit.deviations.filter(category=DeviationCategory.CONSENT, created_automatically=True).exists():
        return None
    by_when = f" (due by {due.due_on:%Y-%m-%d})"
    label = visit.definition.code if visit.definition_id else "An unscheduled visit"
    deviation = ProtocolDeviation(
        study_id=participant.study_id,
        study_site=participant.study_site,
        participant=participant,
        scheduled_visit=visit,
        category=DeviationCategory.CONSENT,
        # Provisionally important: a visit without current consent touches the participant's rights.
        # The reviewer may downgrade it.
        important=True,
        description=(
            f"{label} took place on {visit.done_on:%Y-%m-%d} while the participant's re-consent "
            f"on the current consent version was overdue{by_when}."
        ),
        occurred_on=visit.done_on,
        identified_on=participant.study_site.local_today(),
        created_automatically=True,
    )
    return records.create_record(deviation, by=by, reason="Detected when the visit was recorded")


def deviation_if_out_of_window(visit: ScheduledVisit, *, by: User | None) -> ProtocolDeviation | None:
    """Create a visit-window deviation, waiting for review, when a visit was done outside the window the
    protocol gives it. One automatic deviation per visit at most, so correcting the visit date adds no
    second one (the reviewer sees the trail of the visit's dates)."""
    label = visit.definition.code if visit.definition_id else "The visit"
    departure = rules.window_departure(
        label=label, done_on=visit.done_on, start_on=visit.window_start_on, end_on=visit.window_end_on
    )
    if departure is None:
        return None
    if visit.deviations.filter(category=DeviationCategory.VISIT_WINDOW, created_automatically=True).exists():
        return None
    participant = visit.participant
    deviation = ProtocolDeviation(
        study_id=participant.study_id,
        study_site=participant.study_site,
        participant=participant,
        scheduled_visit=visit,
        category=DeviationCategory.VISIT_WINDOW,
        # Not important by default: a visit off its window seldom touches safety or rights; the reviewer
        # decides when it does (e.g. a safety assessment missed).
        important=False,
        description=departure,
        occurred_on=visit.done_on,
        identified_on=participant.study_site.local_today(),
        created_automatically=True,
    )
    return records.create_record(deviation, by=by, reason="Detected when the visit was recorded")


# Protocol deviations ------------------------------------------------------------------------------------


def create_deviation(*, study: Study, by: User, reason: str = "", **values) -> ProtocolDeviation:
    values = records.only_fields(values, DEVIATION_FIELDS)
    site = values.get("study_site")
    if site is None:
        raise ValidationError({"study_site": gettext("Choose the site where the deviation occurred.")})
    require(can_record_deviations(by, site), ONLY_DEVIATION_RECORDERS)
    return records.create_record(ProtocolDeviation(study=study, **values), by=by, reason=reason)


def update_deviation(
    *,
    deviation: ProtocolDeviation,
    changes: dict,
    by: User,
    reason: str,
    expected_version: int | None = None,
) -> ProtocolDeviation:
    require(can_record_deviations(by, deviation.study_site), ONLY_DEVIATION_RECORDERS)
    new_site = changes.get("study_site")
    if new_site is not None and new_site != deviation.study_site:
        require(can_record_deviations(by, new_site), ONLY_DEVIATION_RECORDERS)
    return records.update_record(
        deviation,
        changes=records.only_fields(changes, DEVIATION_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def review_deviation(
    *,
    deviation: ProtocolDeviation,
    by: User,
    reason: str = "",
    important: bool | None = None,
    expected_version: int | None = None,
) -> ProtocolDeviation:
    """The CRM confirms a deviation (and may settle whether it is important); it leaves the review list."""
    require(can_review_deviations(by, deviation.study_id), ONLY_REVIEWERS)
    if deviation.review_status == ReviewStatus.REVIEWED:
        raise ValidationError({"review_status": gettext("This deviation is already reviewed.")})
    changes = {
        "review_status": ReviewStatus.REVIEWED,
        "reviewed_by": by,
        "reviewed_on": deviation.study_site.local_today(),
    }
    if important is not None:
        changes["important"] = important
    return records.update_record(
        deviation,
        changes=changes,
        by=by,
        reason=(reason or "").strip() or "Deviation reviewed",
        expected_version=expected_version,
        action="reviewed",
    )


def delete_deviation(
    *, deviation: ProtocolDeviation, by: User, reason: str, expected_version: int | None = None
) -> None:
    """Remove a deviation entered by mistake; one Trialdesk created itself is reviewed, never deleted."""
    require(can_review_deviations(by, deviation.study_id), ONLY_REVIEWERS)
    if deviation.created_automatically:
        raise ValidationError(
            {"created_automatically": gettext("A deviation created automatically is reviewed, not deleted.")}
        )
    records.delete_record(deviation, by=by, reason=reason, expected_version=expected_version)
