"""Reads of the safety app, each starting from what the user may see."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core.models import User
from trialdesk.safety.models import (
    AdverseEvent,
    AdverseEventVersion,
    CommitteeReportingPolicy,
    ObligationStatus,
    ReportingObligation,
    StudySafetySettings,
)
from trialdesk.safety.rules import rulebook, windows
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


def adverse_events_for(user: User, study: Study | None = None) -> QuerySet:
    events = AdverseEvent.objects.visible_to(user).select_related("participant", "study_site", "study")
    return events.filter(study=study) if study is not None else events


def versions_of(user: User, adverse_event: AdverseEvent) -> QuerySet:
    return (
        AdverseEventVersion.objects.visible_to(user)
        .filter(adverse_event=adverse_event)
        .select_related("recorded_by", "reference_safety_information")
    )


def latest_version(adverse_event: AdverseEvent) -> AdverseEventVersion:
    return adverse_event.versions.select_related("adverse_event__study_site__institution").get(
        number=adverse_event.latest_version
    )


def obligations_for(user: User, study: Study | None = None) -> QuerySet:
    found = ReportingObligation.objects.visible_to(user).select_related(
        "study", "adverse_event", "study_site"
    )
    return found.filter(study=study) if study is not None else found


def filter_adverse_events(events: QuerySet, params) -> QuerySet:
    """The line listing's and the AE list's filters: seriousness, grade, causality, period, site, SUSAR."""
    serious = params.get("serious", "")
    if serious in ("yes", "true", "1"):
        events = events.filter(serious=True)
    elif serious in ("no", "false", "0"):
        events = events.filter(serious=False)
    grade = str(params.get("grade", "") or "")
    if grade.isdigit():
        events = events.filter(grade=int(grade))
    related = params.get("related", "")
    if related in ("yes", "true", "1"):
        events = events.filter(related=True)
    elif related in ("no", "false", "0"):
        events = events.filter(related=False)
    site = str(params.get("site", "") or "")
    if site.isdigit():
        events = events.filter(study_site_id=int(site))
    for name, lookup in (("onset_from", "onset_on__gte"), ("onset_to", "onset_on__lte")):
        value = params.get(name)
        if value:
            day = value if isinstance(value, dt.date) else _date(value)
            if day:
                events = events.filter(**{lookup: day})
    if params.get("susar") in ("yes", "true", "1", True):
        events = events.filter(serious=True, related=True).exclude(expected=True)
    return events


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def settings_of(study: Study) -> StudySafetySettings:
    """The study's safety settings, or unsaved defaults (no sponsor zone, a drug, 24 hours)."""
    found = StudySafetySettings.objects.filter(study=study).first()
    return found or StudySafetySettings(study=study)


def study_countries(study: Study) -> list[str]:
    return sorted(set(StudySite.objects.filter(study=study).values_list("institution__country", flat=True)))


def study_jurisdictions(study: Study, settings: StudySafetySettings) -> tuple[str, ...]:
    """Jurisdictions from the countries of the study's sites, plus those the settings add, less those the
    settings exclude (each with its recorded reason)."""
    found = set(rulebook.jurisdictions_of_countries(study_countries(study))) | set(
        settings.extra_jurisdictions or []
    )
    found -= set(settings.excluded_codes())
    return tuple(code for code in rulebook.JURISDICTIONS if code in found)


@dataclass(frozen=True)
class Coverage:
    """What a study's safety reporting covers and what it cannot: its jurisdictions (and whether their rules
    were all verified against the source), the countries without rules, the exclusions and the sponsor's
    time zone."""

    jurisdictions: tuple[str, ...]
    unverified: tuple[str, ...]
    warnings: tuple[str, ...]
    excluded: dict


def coverage(study: Study, settings: StudySafetySettings | None = None) -> Coverage:
    settings = settings or settings_of(study)
    jurisdictions = study_jurisdictions(study, settings)
    book = rulebook.rulebook()
    unverified = tuple(code for code in jurisdictions if any(not r.verified for r in book.get(code, ())))
    warnings = [
        rulebook.no_rules_warning(c) for c in rulebook.countries_without_rules(study_countries(study))
    ]
    if not settings.effective_time_zone:
        warnings.append(
            gettext(
                "sponsor time zone not set: sponsor deadlines are shown at the earliest end of day anywhere "
                "(UTC+14) until the sponsor's country or time zone is set in the safety settings"
            )
        )
    return Coverage(jurisdictions, unverified, tuple(warnings), settings.excluded_codes())


def coverage_warnings(user: User) -> list[tuple[str, str]]:
    """(study code, warning) for every study the user sees that has sites in countries without rules or no
    sponsor time zone: the obligations board says so, never silence. Two queries, whatever the studies."""
    studies = Study.objects.visible_to(user)
    countries: dict[str, set] = {}
    for code, country in StudySite.objects.filter(study__in=studies).values_list(
        "study__code", "institution__country"
    ):
        countries.setdefault(code, set()).add(country)
    zones = {
        s.study.code: s.effective_time_zone
        for s in StudySafetySettings.objects.filter(study__in=studies).select_related("study")
    }
    found = []
    for code in sorted(countries):
        found.extend(
            (code, rulebook.no_rules_warning(c)) for c in rulebook.countries_without_rules(countries[code])
        )
        if not zones.get(code):
            unset = gettext("sponsor time zone not set (deadlines shown at the earliest end of day, UTC+14)")
            found.append((code, unset))
    return found


def committee_policies(study: Study, study_site: StudySite) -> dict[str, rulebook.CommitteePolicy]:
    rows = CommitteeReportingPolicy.objects.filter(study=study, active=True).filter(
        Q(study_site__isnull=True) | Q(study_site=study_site)
    )
    return {row.name: row.as_rule_policy() for row in rows}


MISSED_DAYS = 90


def missed_recently(user: User, now: dt.datetime, *, days: int = MISSED_DAYS) -> QuerySet:
    """Obligations recorded as missed (reported late, or no longer required only after their due time)
    that fell due in the last `days` days: the board keeps them in view, never retired silently."""
    return (
        ReportingObligation.objects.visible_to(user)
        .filter(status=ObligationStatus.MISSED, due_at__gte=now - dt.timedelta(days=days))
        .select_related("study", "adverse_event")
        .order_by("-due_at")[:200]
    )


@dataclass
class Board:
    """The obligations board: open obligations in each window of `windows.Window` (overdue, due in the next
    24 hours, due later in the next 7 days), each grouped by study and recipient, plus the counts the
    portfolio page shows."""

    now: dt.datetime
    overdue: dict = field(default_factory=dict)
    due_24h: dict = field(default_factory=dict)
    due_week: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)
    limit: int = 0
    shown: int = 0


# The board's sections and the counts' keys, by window.
BOARD_SECTIONS = {
    windows.Window.OVERDUE: "overdue",
    windows.Window.NEXT_24H: "due_24h",
    windows.Window.THIS_WEEK: "due_week",
}


def due_within(window: windows.Window, now: dt.datetime) -> Q:
    """The due times of `windows.window_bounds(window)` as a filter (open or not: callers add the status)."""
    start, end = windows.window_bounds(window, now=now)
    return Q(due_at__lt=end) if start is None else Q(due_at__gte=start, due_at__lt=end)


def board_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """How many open obligations are in each window (the keys of BOARD_SECTIONS), in one query."""
    now = now or timezone.now()
    open_ones = ReportingObligation.objects.visible_to(user).filter(
        status=ObligationStatus.OPEN, due_at__lt=windows.board_horizon(now)
    )
    return open_ones.aggregate(
        **{key: Count("pk", filter=due_within(window, now)) for window, key in BOARD_SECTIONS.items()}
    )


BOARD_FIELDS = (
    "id",
    "study_id",
    "study__code",
    "study_site_id",
    "reporting_party",
    "adverse_event_id",
    "adverse_event__number",
    "adverse_event__ctcae_term",
    "recipient",
    "description",
    "rule",
    "clock",
    "length",
    "due_at",
    "time_zone",
    "key",
)


def obligations_board(user: User, now: dt.datetime | None = None, *, limit: int = 300) -> Board:
    """The first `limit` open obligations in the board's windows, soonest due first (the counts cover
    them all)."""
    now = now or timezone.now()
    rows = (
        ReportingObligation.objects.visible_to(user)
        .filter(status=ObligationStatus.OPEN, due_at__lt=windows.board_horizon(now))
        .select_related("study", "adverse_event")
        .only(*BOARD_FIELDS)
        .order_by("due_at")[:limit]
    )
    board = Board(now=now, counts=board_counts(user, now), limit=limit)
    for row in rows:
        bucket = getattr(board, BOARD_SECTIONS[windows.window_of(row.due_at, now=now)])
        bucket.setdefault((row.study.code, row.recipient), []).append(row)
        board.shown += 1
    for name in BOARD_SECTIONS.values():
        setattr(board, name, dict(sorted(getattr(board, name).items())))
    return board
