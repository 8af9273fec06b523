"""Writes for schedules of activities, participants' visits and protocol deviations.

Each checks permission, validates, saves and audits in one transaction (core.records), except the
bulk scheduling path for imports, which writes many visits at once in SQL under one summary audit event
per study site (docs/adr/0004-bulk-visit-scheduling.md).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from trialdesk.core import audit, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study
from trialdesk.subjects.models import Participant
from trialdesk.subjects.selectors import first_consent_on, reconsent_due
from trialdesk.visits import rules, selectors
from trialdesk.visits.models import (
    DeviationCategory,
    ProtocolDeviation,
    ReviewStatus,
    ScheduledVisit,
    VisitDefinition,
    VisitStatus,
    VisitType,
)
from trialdesk.visits.permissions import (
    can_manage_schedule,
    can_record_deviations,
    can_record_visits,
    can_review_deviations,
)

DEFINITION_FIELDS = (
    "code",
    "name",
    "visit_type",
    "anchor",
    "day_offset",
    "window_before_days",
    "window_after_days",
    "modalities",
    "order",
)
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
ONLY_SCHEDULE_MANAGERS = "Only the study's CRM or an administrator changes its schedule of activities."
ONLY_SITE_STAFF = "Only the site's coordinators and investigators, or the study's CRM, record visits."
ONLY_DEVIATION_RECORDERS = "Only the site's staff and monitor, or the study's CRM, record its deviations."
ONLY_REVIEWERS = "Only the study's CRM or an administrator reviews or deletes deviations."


# Schedule of activities ---------------------------------------------------------------------------------


def create_visit_definition(
    *, protocol_version: ProtocolVersion, by: User, reason: str = "", **values
) -> VisitDefinition:
    require(can_manage_schedule(by, protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    definition = VisitDefinition(
        protocol_version=protocol_version, **records.only_fields(values, DEFINITION_FIELDS)
    )
    return records.create_record(definition, by=by, reason=reason)


def update_visit_definition(
    *, definition: VisitDefinition, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> VisitDefinition:
    """Change a visit of the schedule; visits already scheduled from it keep their dates."""
    require(can_manage_schedule(by, definition.protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    return records.update_record(
        definition,
        changes=records.only_fields(changes, DEFINITION_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def delete_visit_definition(
    *, definition: VisitDefinition, by: User, reason: str, expected_version: int | None = None
) -> None:
    """Only a visit nobody has been scheduled for may leave the schedule; the others stay as history."""
    require(can_manage_schedule(by, definition.protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    if definition.scheduled_visits.exists():
        raise ValidationError(
            {"code": "Participants are already scheduled for this visit: amend the protocol instead."}
        )
    records.delete_record(definition, by=by, reason=reason, expected_version=expected_version)


# Scheduling participants' visits -------------------------------------------------------------------------


def site_date(value: dt.date | dt.datetime, study_site) -> dt.date:
    """The calendar day of `value` at the site: a moment (aware datetime) is read in the site's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError({"anchor_on": "Give the anchor moment with its time zone, or a date."})
        return value.astimezone(study_site.zone).date()
    return value


def _anchor_problem(anchor: str) -> None:
    if anchor not in rules.ANCHORS:
        raise ValidationError(
            {"anchor": f"Unknown anchor {anchor!r}; choose among: {', '.join(rules.ANCHORS)}."}
        )


def _definitions_to_schedule(version: ProtocolVersion, anchor: str) -> list[VisitDefinition]:
    definitions = version.visit_definitions.filter(anchor=anchor).exclude(visit_type=VisitType.UNSCHEDULED)
    return list(definitions.select_related("protocol_version").order_by("order", "day_offset", "id"))


def _planned_visit(
    participant: Participant, definition: VisitDefinition, anchor_on: dt.date
) -> ScheduledVisit:
    window = rules.visit_window(
        anchor_on=anchor_on,
        day_offset=definition.day_offset,
        days_before=definition.window_before_days,
        days_after=definition.window_after_days,
    )
    return ScheduledVisit(
        participant=participant,
        definition=definition,
        anchor_on=anchor_on,
        target_on=window.target_on,
        window_start_on=window.start_on,
        window_end_on=window.end_on,
    )


@transaction.atomic
def schedule_visits(
    *, participant: Participant, anchor: str, anchor_on: dt.date | dt.datetime, by: User | None
) -> list[ScheduledVisit]:
    """Give the participant the visits of the study's current schedule that hang on `anchor`.

    The schedule is that of the effective protocol version (else the latest approved one); target
    dates are `anchor_on` (a date, or a moment read in the site's time zone) plus each visit's day
    offset. Visits the participant already has are left as they are, so calling this again creates
    nothing new. Returns the participant's visits for this anchor's definitions, by target date.

    Each new visit is created with its own audit event: a visit is a record that is later changed
    (recorded, corrected), and its trail should begin with how and when it was scheduled.
    """
    _anchor_problem(anchor)
    site = participant.study_site
    if by is not None:
        require(can_record_visits(by, site), ONLY_SITE_STAFF)
    anchor_day = site_date(anchor_on, site)
    version = selectors.schedule_version_of(participant.study_id)
    if version is None:
        return []
    definitions = _definitions_to_schedule(version, anchor)
    # Lock the participant so that two simultaneous calls do not both find a visit missing.
    list(Participant.objects.select_for_update().filter(pk=participant.pk).values_list("pk"))
    have = set(
        ScheduledVisit.objects.filter(participant=participant, definition__in=definitions).values_list(
            "definition_id", flat=True
        )
    )
    for definition in definitions:
        if definition.pk not in have:
            records.create_record(
                _planned_visit(participant, definition, anchor_day),
                by=by,
                reason=f"Scheduled from {anchor.replace('_', ' ')} on {anchor_day:%Y-%m-%d} "
                f"(protocol v{version.number})",
            )
    return list(
        ScheduledVisit.objects.filter(participant=participant, definition__in=definitions)
        .select_related("definition")
        .order_by("target_on", "definition__order", "id")
    )


@transaction.atomic
def schedule_on_enrollment(
    *, participant: Participant, first_consent_at: dt.datetime | None, enrolled_on: dt.date, by: User | None
) -> None:
    """The visits that hang on consent and on enrollment, scheduled as the participant is enrolled
    (registered as an enrollment hook: subjects.services.enroll_participant runs it in its transaction)."""
    if first_consent_at is not None:
        schedule_visits(participant=participant, anchor="consent", anchor_on=first_consent_at, by=by)
    schedule_visits(participant=participant, anchor="enrollment", anchor_on=enrolled_on, by=by)


def schedule_visits_bulk(
    *,
    protocol_version: ProtocolVersion,
    anchor: str,
    anchors: Iterable[tuple[int, dt.date]],
    by: User,
    reason: str,
) -> int:
    """Schedule many participants at once, for imports and migrations of running studies.

    `anchors` gives (participant id, anchor date) pairs; each participant must belong to the
    protocol version's study. Visits are written with bulk inserts (existing ones are skipped, so a
    rerun is harmless) and each study site with participants in the batch gets ONE summary event on
    its audit trail, naming the protocol version, the anchor, the visits of the schedule and how many
    of its participants and visits were added (docs/adr/0004-bulk-visit-scheduling.md).
    Returns the number of visits added. The CRM (or an administrator) runs imports.
    """
    reason = records.require_reason(reason)
    require(can_manage_schedule(by, protocol_version.study_id), ONLY_SCHEDULE_MANAGERS)
    _anchor_problem(anchor)
    definitions = _definitions_to_schedule(protocol_version, anchor)
    pairs = list(anchors)
    site_of = dict(
        Participant.objects.filter(study_id=protocol_version.study_id).values_list("pk", "study_site_id")
    )
    strangers = sorted({pk for pk, _ in pairs if pk not in site_of})
    if strangers:
        raise ValidationError(
            {"anchors": f"{len(strangers)} participants are not in this study, e.g. id {strangers[0]}."}
        )
    before = _visits_per_site(definitions)
    _insert_visits(pairs, definitions)
    after = _visits_per_site(definitions)
    participants_at: dict[int, set[int]] = {}
    for pk, _ in pairs:
        participants_at.setdefault(site_of[pk], set()).add(pk)
    sites = StudySite.objects.filter(pk__in=participants_at).select_related("institution").order_by("pk")
    for site in sites:
        audit.record(
            target=site,
            action="scheduledvisit.bulk_scheduled",
            by=by,
            before=None,
            after={
                "protocol_version": protocol_version.number,
                "anchor": anchor,
                "visits_of_schedule": [d.code for d in definitions],
                "participants": len(participants_at[site.pk]),
                "visits_added": after.get(site.pk, 0) - before.get(site.pk, 0),
            },
            reason=reason,
            study_id=protocol_version.study_id,
            study_site_id=site.pk,
        )
    return sum(after.values()) - sum(before.values())


def _visits_per_site(definitions: list[VisitDefinition]) -> dict[int, int]:
    """How many visits of these definitions each study site has (one grouped query)."""
    rows = (
        ScheduledVisit.objects.filter(definition__in=definitions)
        .order_by()
        .values_list("participant__study_site_id")
        .annotate(visits=Count("pk"))
    )
    return dict(rows)


def _insert_visits(pairs: list[tuple[int, dt.date]], definitions: list[VisitDefinition]) -> None:
    """INSERT one visit per participant and definition, skipping those that already exist.

    The database multiplies the participants by the schedule: each statement sends only (participant,
    anchor date) pairs and joins them with the visit definitions, computing the dates in SQL. Building
    1.5 million model instances for bulk_create, or sending every visit's values from Python, takes
    longer than the whole import should (see benchmarks/bench_schedules.py). The unique constraint
    (participant, definition) with ON CONFLICT DO NOTHING makes a rerun add nothing.
    """
    if not pairs or not definitions:
        return
    quote = connection.ops.quote_name
    visit_table = quote(ScheduledVisit._meta.db_table)
    definition_table = quote(VisitDefinition._meta.db_table)
    columns = (
        "participant_id, definition_id, anchor_on, target_on, window_start_on, window_end_on, "
        "created_at, updated_at, status, done_on, modality, out_of_window, note, version"
    )
    target, start, end = (
        _days_after("p.anchor_on", f"d.day_offset {shift}")
        for shift in ("", "- d.window_before_days", "+ d.window_after_days")
    )
    ids = ", ".join(str(int(d.pk)) for d in definitions)
    max_params = connection.features.max_query_params or 20_000
    per_statement = max(1, min(5000, (max_params - 2) // 2))

    def statement(rows: int) -> str:
        values = ", ".join(["(%s, %s)"] * rows)
        return (
            f"WITH p (participant_id, anchor_on) AS (VALUES {values}) "
            f"INSERT INTO {visit_table} ({columns}) "
            f"SELECT p.participant_id, d.id, p.anchor_on, {target}, {start}, {end}, %s, %s, "
            f"'scheduled', NULL, '', FALSE, '', 1 "
            f"FROM p CROSS JOIN {definition_table} d WHERE d.id IN ({ids}) "
            "ON CONFLICT DO NOTHING"
        )

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    full = statement(per_statement)
    with connection.cursor() as cursor:
        for first in range(0, len(pairs), per_statement):
            chunk = pairs[first : first + per_statement]
            params = [value for pair in chunk for value in pair] + [now, now]
            cursor.execute(full if len(chunk) == per_statement else statement(len(chunk)), params)


def _days_after(date_sql: str, days_sql: str) -> str:
    """SQL for a date plus a number of days, in the two databases Trialdesk runs on."""
    if connection.vendor == "sqlite":
        return f"date({date_sql}, ({days_sql}) || ' days')"
    return f"(CAST({date_sql} AS date) + ({days_sql}))"


# Recording visits ---------------------------------------------------------------------------------------


def _visit_date_checks(participant: Participant, done_on: dt.date) -> None:
    problem = rules.visit_date_problem(
        done_on,
        today=participant.study_site.local_today(),
        enrolled_on=participant.enrolled_on,
        first_consent_on=first_consent_on(participant),
    )
    if problem:
        raise ValidationError({"done_on": problem})


def _modality_checks(modality: str, allowed: list[str]) -> None:
    if not modality:
        raise ValidationError({"modality": "Say how the visit took place."})
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

    A visit outside its window is recorded and flagged. A date in the future, before the
    participant's first consent or before enrollment is refused. Correcting a visit already recorded
    needs a reason. When the participant's re-consent was overdue on the visit date, a consent
    deviation is created automatically, waiting for review.
    """
    participant = scheduled_visit.participant
    require(can_record_visits(by, participant.study_site), ONLY_SITE_STAFF)
    _visit_date_checks(participant, done_on)
    _modality_checks(modality, scheduled_visit.allowed_modalities())
    if scheduled_visit.is_done and not (reason or "").strip():
        raise ValidationError({"reason": "Changing a visit already recorded needs a reason for change."})
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


# Protocol deviations ------------------------------------------------------------------------------------


def create_deviation(*, study: Study, by: User, reason: str = "", **values) -> ProtocolDeviation:
    values = records.only_fields(values, DEVIATION_FIELDS)
    site = values.get("study_site")
    if site is None:
        raise ValidationError({"study_site": "Choose the site where the deviation occurred."})
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
        raise ValidationError({"review_status": "This deviation is already reviewed."})
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
            {"created_automatically": "A deviation created automatically is reviewed, not deleted."}
        )
    records.delete_record(deviation, by=by, reason=reason, expected_version=expected_version)
