"""Scheduling participants' visits from the schedule of activities: one at a time, or in bulk in SQL.

The bulk path for imports writes many visits at once under one summary audit event per study site
(docs/adr/0004-bulk-visit-scheduling.md).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import audit, records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion
from trialdesk.subjects.models import Participant
from trialdesk.visits import rules, selectors
from trialdesk.visits.models import ScheduledVisit, VisitDefinition, VisitType
from trialdesk.visits.permissions import can_manage_schedule, can_record_visits
from trialdesk.visits.services.recording import ONLY_SITE_STAFF
from trialdesk.visits.services.schedule import ONLY_SCHEDULE_MANAGERS

# Scheduling participants' visits -------------------------------------------------------------------------


def site_date(value: dt.date | dt.datetime, study_site) -> dt.date:
    """The calendar day of `value` at the site: a moment (aware datetime) is read in the site's zone."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError(
                {"anchor_on": gettext("Give the anchor moment with its time zone, or a date.")}
            )
        return value.astimezone(study_site.zone).date()
    return value


def _anchor_problem(anchor: str) -> None:
    if anchor not in rules.ANCHORS:
        raise ValidationError(
            {
                "anchor": gettext("Unknown anchor %(anchor)s; choose among: %(anchors)s.")
                % {"anchor": repr(anchor), "anchors": ", ".join(rules.ANCHORS)}
            }
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


@transaction.atomic
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
    of its participants and visits were added, and listing the visits it added with a digest of their
    values, so that `trialdesk audit verify` checks them too (docs/adr/0004-bulk-visit-scheduling.md).
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
            {
                "anchors": gettext("%(strangers)s participants are not in this study, e.g. id %(0)s.")
                % {"strangers": len(strangers), "0": strangers[0]}
            }
        )
    # Site by site, so that each site's new visits get neighbouring ids (a short list in its event).
    pairs.sort(key=lambda pair: (site_of[pair[0]], pair[0]))
    added_at: dict[int, list[int]] = {}
    for visit_id, participant_id in _insert_visits(pairs, definitions):
        added_at.setdefault(site_of[participant_id], []).append(visit_id)
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
                "visits_added": len(added_at.get(site.pk, [])),
                audit.BULK_KEY: audit.bulk_created(ScheduledVisit, added_at.get(site.pk, [])),
            },
            reason=reason,
            study_id=protocol_version.study_id,
            study_site_id=site.pk,
        )
    return sum(len(ids) for ids in added_at.values())


def _insert_visits(
    pairs: list[tuple[int, dt.date]], definitions: list[VisitDefinition]
) -> list[tuple[int, int]]:
    """INSERT one visit per participant and definition, skipping those that already exist; returns the
    (visit id, participant id) of each visit added.

    The database multiplies the participants by the schedule: each statement sends only (participant,
    anchor date) pairs and joins them with the visit definitions, computing the dates in SQL. Building
    1.5 million model instances for bulk_create, or sending every visit's values from Python, takes
    longer than the whole import should (see benchmarks/bench_schedules.py). The unique constraint
    (participant, definition) with ON CONFLICT DO NOTHING makes a rerun add nothing.
    """
    if not pairs or not definitions:
        return []
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
            "ON CONFLICT DO NOTHING RETURNING id, participant_id"
        )

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    full = statement(per_statement)
    added: list[tuple[int, int]] = []
    with connection.cursor() as cursor:
        for first in range(0, len(pairs), per_statement):
            chunk = pairs[first : first + per_statement]
            params = [value for pair in chunk for value in pair] + [now, now]
            cursor.execute(full if len(chunk) == per_statement else statement(len(chunk)), params)
            added += cursor.fetchall()
    return added


def _days_after(date_sql: str, days_sql: str) -> str:
    """SQL for a date plus a number of days, in the two databases Trialdesk runs on."""
    if connection.vendor == "sqlite":
        return f"date({date_sql}, ({days_sql}) || ' days')"
    return f"(CAST({date_sql} AS date) + ({days_sql}))"
