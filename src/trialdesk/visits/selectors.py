"""Reads for schedules, participants' visits and deviations; every user-facing one starts from scope."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Min, Q, QuerySet

from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolStatus, ProtocolVersion, Study
from trialdesk.subjects.models import Participant
from trialdesk.visits import rules
from trialdesk.visits.models import (
    ProtocolDeviation,
    ScheduledVisit,
    VisitDefinition,
    VisitStatus,
)

# Protocol versions whose schedule new participants follow, best first (see schedule_version_of).
SCHEDULE_STATUSES = (ProtocolStatus.EFFECTIVE, ProtocolStatus.APPROVED)


# Schedules --------------------------------------------------------------------------------------------


def schedule_version_of(study: Study | int) -> ProtocolVersion | None:
    """The protocol version whose schedule participants are given now: the effective one, else the
    latest approved one (a study's first version may be approved before anyone marks it effective)."""
    study_id = study.pk if isinstance(study, Study) else study
    versions = ProtocolVersion.objects.filter(study_id=study_id)
    effective = versions.filter(status=ProtocolStatus.EFFECTIVE).order_by("-effective_on", "-id").first()
    if effective is not None:
        return effective
    return (
        versions.filter(status=ProtocolStatus.APPROVED)
        .order_by("-approved_on", "-version_date", "-id")
        .first()
    )


def visit_definitions_for(user: User, protocol_version: ProtocolVersion) -> QuerySet[VisitDefinition]:
    return VisitDefinition.objects.visible_to(user).filter(protocol_version=protocol_version)


def protocol_versions_for(user: User) -> QuerySet[ProtocolVersion]:
    return ProtocolVersion.objects.visible_to(user).select_related("study")


# Participants' visits ---------------------------------------------------------------------------------


def participants_for(user: User) -> QuerySet[Participant]:
    return Participant.objects.visible_to(user).select_related("study", "study_site__institution")


def visits_for(user: User) -> QuerySet[ScheduledVisit]:
    return ScheduledVisit.objects.visible_to(user).select_related(
        "definition", "participant__study_site__institution"
    )


def left_study_on(participant: Participant) -> date | None:
    """The day a participant left the study (completed, withdrew, was lost or died), else None."""
    if participant.status in rules.ENDED_STATUSES:
        return participant.status_changed_on
    return None


@dataclass(frozen=True)
class VisitRow:
    """A participant's visit with its standing on the site's today."""

    visit: ScheduledVisit
    standing: str

    @property
    def standing_label(self) -> str:
        return rules.STANDING_LABELS[self.standing]


def visit_rows(user: User, participant: Participant) -> list[VisitRow]:
    """The participant's visits, scheduled ones by target date and unscheduled ones by visit date."""
    today = participant.study_site.local_today()
    left_on = left_study_on(participant)
    visits = visits_for(user).filter(participant=participant)
    rows = [
        VisitRow(visit, standing_of(visit, today=today, left_on=left_on))
        for visit in visits.order_by("target_on", "done_on", "definition__order", "id")
    ]
    return rows


def standing_of(visit: ScheduledVisit, *, today: date, left_on: date | None) -> str:
    return rules.visit_standing(
        done_on=visit.done_on,
        start_on=visit.window_start_on,
        end_on=visit.window_end_on,
        today=today,
        left_on=left_on,
    )


def next_scheduled_visit_on(participant: Participant, *, after: date) -> date | None:
    """The target date of the participant's next visit not yet done, strictly after `after`."""
    return (
        ScheduledVisit.objects.filter(
            participant=participant, status=VisitStatus.SCHEDULED, target_on__gt=after
        )
        .order_by("target_on")
        .values_list("target_on", flat=True)
        .first()
    )


def next_scheduled_visits_on(participant_ids, *, after: date) -> dict[int, date | None]:
    """next_scheduled_visit_on for many participants at once (for the re-consent worklist):
    {participant id: target date of the next visit not done after `after`, or None}."""
    ids = list(participant_ids)
    found: dict[int, date | None] = dict.fromkeys(ids)
    # In slices, so that a long list stays within every database's limit on query parameters.
    for first in range(0, len(ids), 900):
        rows = (
            ScheduledVisit.objects.filter(
                participant_id__in=ids[first : first + 900], status=VisitStatus.SCHEDULED, target_on__gt=after
            )
            .values("participant_id")
            .annotate(next_on=Min("target_on"))
            .order_by()
            .values_list("participant_id", "next_on")
        )
        found.update(rows)
    return found


def _missed_filter(sites: list[StudySite]) -> Q:
    """Visits not done whose window closed before their site's today, worked out per site's time zone.

    A visit whose window closed after the participant left the study was not expected, so is not missed.
    """
    closed = Q(pk__in=[])
    for site in sites:
        closed |= Q(participant__study_site=site, window_end_on__lt=site.local_today())
    left_first = Q(
        participant__status__in=rules.ENDED_STATUSES,
        participant__status_changed_on__lte=F("window_end_on"),
    )
    return Q(status=VisitStatus.SCHEDULED, window_end_on__isnull=False) & closed & ~left_first


def missed_visits_for(user: User, study: Study) -> QuerySet[ScheduledVisit]:
    """The study's visits that are missed today (the site's today), oldest window first."""
    sites = list(StudySite.objects.visible_to(user).filter(study=study).select_related("institution"))
    return (
        visits_for(user)
        .filter(participant__study=study)
        .filter(_missed_filter(sites))
        .order_by("window_end_on", "participant__number", "id")
    )


# Deviations -------------------------------------------------------------------------------------------


def deviations_for(user: User) -> QuerySet[ProtocolDeviation]:
    return ProtocolDeviation.objects.visible_to(user).select_related(
        "study", "study_site", "participant", "scheduled_visit__definition", "reviewed_by"
    )


def study_deviations(
    user: User,
    study: Study,
    *,
    study_site: StudySite | None = None,
    category: str = "",
    important: bool | None = None,
    review_status: str = "",
    created_automatically: bool | None = None,
    participant_number: str = "",
) -> QuerySet[ProtocolDeviation]:
    """A study's deviations the user may see, filtered, newest first."""
    deviations = deviations_for(user).filter(study=study)
    if study_site is not None:
        deviations = deviations.filter(study_site=study_site)
    if category:
        deviations = deviations.filter(category=category)
    if important is not None:
        deviations = deviations.filter(important=important)
    if review_status:
        deviations = deviations.filter(review_status=review_status)
    if created_automatically is not None:
        deviations = deviations.filter(created_automatically=created_automatically)
    if participant_number:
        deviations = deviations.filter(participant__number__icontains=participant_number)
    return deviations.order_by("-occurred_on", "-id")


@dataclass(frozen=True)
class SiteDeviationRow:
    """One site's line of the deviation trend."""

    site: StudySite | None
    participants: int
    rate: rules.DeviationRate
    missed_visits: int = 0
    needs_review: int = 0


@dataclass(frozen=True)
class DeviationTrend:
    """Deviations per participant-month by site, and for the sites together."""

    rows: list[SiteDeviationRow] = field(default_factory=list)
    total: SiteDeviationRow | None = None


def deviation_trend(user: User, study: Study) -> DeviationTrend:
    """Per visible site: deviations (important ones separately) over participant-months on study.

    Participant-months run from enrollment to the site's today, or to the day a participant left
    (completed, withdrew, was lost or died). A fixed number of queries whatever the size of the study.
    Aggregate figures over the sites the user may see: a sponsor viewer counts what they may not read.
    """
    sites = list(
        StudySite.objects.visible_to(user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
    days: dict[int, int] = defaultdict(int)
    heads: dict[int, int] = defaultdict(int)
    today_of = {site.pk: site.local_today() for site in sites}
    participants = Participant.objects.filter(study=study, study_site__in=sites)
    for site_id, enrolled_on, status, changed_on in participants.values_list(
        "study_site_id", "enrolled_on", "status", "status_changed_on"
    ):
        heads[site_id] += 1
        days[site_id] += rules.participant_days(
            enrolled_on=enrolled_on, status=status, status_changed_on=changed_on, today=today_of[site_id]
        )
    counts = {
        row["study_site"]: row
        for row in ProtocolDeviation.objects.filter(study=study, study_site__in=sites)
        .values("study_site")
        .annotate(
            all=Count("id"),
            important_count=Count("id", filter=Q(important=True)),
            open_count=Count("id", filter=Q(review_status="needs_review")),
        )
        .order_by()
    }
    missed = dict(
        ScheduledVisit.objects.filter(participant__study=study, participant__study_site__in=sites)
        .filter(_missed_filter(sites))
        .values("participant__study_site")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("participant__study_site", "n")
    )
    rows = [
        _trend_row(site, heads[site.pk], days[site.pk], counts.get(site.pk, {}), missed) for site in sites
    ]
    total = SiteDeviationRow(
        site=None,
        participants=sum(r.participants for r in rows),
        rate=rules.deviation_rate(
            deviations=sum(r.rate.deviations for r in rows),
            important=sum(r.rate.important for r in rows),
            participant_days=sum(days.values()),
        ),
        missed_visits=sum(r.missed_visits for r in rows),
        needs_review=sum(r.needs_review for r in rows),
    )
    return DeviationTrend(rows=rows, total=total)


def _trend_row(site: StudySite, participants: int, days: int, counts: dict, missed: dict) -> SiteDeviationRow:
    return SiteDeviationRow(
        site=site,
        participants=participants,
        rate=rules.deviation_rate(
            deviations=counts.get("all", 0),
            important=counts.get("important_count", 0),
            participant_days=days,
        ),
        missed_visits=missed.get(site.pk, 0),
        needs_review=counts.get("open_count", 0),
    )
