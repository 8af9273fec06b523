"""Safety summary: adverse events and reporting obligations. Counts are aggregates over the sites the
reader may see (a sponsor viewer counts without reading, as the overview counts participants); the list
of overdue obligations, which names events, only for readers who may see subject-level records."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import charts
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.core.scoping import scope_filter
from trialdesk.safety.models import AdverseEvent, ObligationStatus, ReportingObligation

WEEKS_BACK, WEEKS_AHEAD = 8, 4
SUSAR = Q(serious=True, related=True) & ~Q(expected=True)


def _countable(model, user):
    """Rows of a subject-level model that `user` may count (not read): their study and sites' rows."""
    return model.objects.filter(scope_filter(user, study_path="study", site_path="study_site"))


def _counts(user, studies, now) -> dict[int, dict]:
    events = (
        _countable(AdverseEvent, user)
        .filter(study__in=studies)
        .order_by()
        .values("study_id")
        .annotate(
            events=Count("pk"),
            serious_events=Count("pk", filter=Q(serious=True)),
            susars=Count("pk", filter=SUSAR),
        )
    )
    obligations = (
        _countable(ReportingObligation, user)
        .filter(study__in=studies)
        .order_by()
        .values("study_id")
        .annotate(
            open_obligations=Count("pk", filter=Q(status=ObligationStatus.OPEN)),
            overdue_obligations=Count("pk", filter=Q(status=ObligationStatus.OPEN, due_at__lt=now)),
            missed_obligations=Count("pk", filter=Q(status=ObligationStatus.MISSED)),
        )
    )
    found: dict[int, dict] = {}
    for row in [*events, *obligations]:
        found.setdefault(row.pop("study_id"), {}).update(row)
    return found


def _local(moment: dt.datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone}"


def _by_week(user, study, now) -> list[dict]:
    monday = now.date() - dt.timedelta(days=now.weekday())
    first, last = monday - dt.timedelta(weeks=WEEKS_BACK), monday + dt.timedelta(weeks=WEEKS_AHEAD + 1)
    rows: dict[tuple, int] = {}
    obligations = (
        _countable(ReportingObligation, user)
        .filter(study=study, due_on__gte=first, due_on__lt=last)
        .exclude(status=ObligationStatus.NOT_REQUIRED)
        .values_list("due_on", "due_at", "status", "submitted_at")
    )
    for due_on, due_at, status, submitted_at in obligations:
        if status == ObligationStatus.MET:
            word = "Late" if submitted_at and submitted_at > due_at else "Met"
        elif status == ObligationStatus.MISSED or due_at < now:
            word = "Overdue"
        else:
            word = "Open"
        week = due_on - dt.timedelta(days=due_on.weekday())
        rows[(week, word)] = rows.get((week, word), 0) + 1
    return [{"week": week, "status": word, "count": n} for (week, word), n in sorted(rows.items())]


def study_block(user, study, today) -> ReportBlock:
    now = timezone.now()
    counts = _counts(user, [study], now).get(study.pk, {})
    figures = (
        (gettext("Adverse events"), str(counts.get("events", 0))),
        (gettext("Serious adverse events"), str(counts.get("serious_events", 0))),
        (gettext("SUSARs"), str(counts.get("susars", 0))),
        (gettext("Open reporting obligations"), str(counts.get("open_obligations", 0))),
        (gettext("Overdue reporting obligations"), str(counts.get("overdue_obligations", 0))),
        (gettext("Missed reporting obligations"), str(counts.get("missed_obligations", 0))),
    )
    chart = charts.obligations_by_week(_by_week(user, study, now))
    tables = ()
    if can_see_subject_level(user, study.pk):
        overdue = (
            ReportingObligation.objects.visible_to(user)
            .filter(study=study, status=ObligationStatus.OPEN, due_at__lt=now)
            .select_related("adverse_event")
            .order_by("due_at")[:50]
        )
        rows = tuple(
            (
                o.adverse_event.number if o.adverse_event_id else "",
                o.adverse_event.ctcae_term if o.adverse_event_id else "",
                o.recipient,
                o.description or o.rule,
                _local(o.due_at, o.time_zone),
            )
            for o in overdue
        )
        if rows:
            tables = (ReportTable(("Event", "Term", "Recipient", "Obligation", "Was due (local)"), rows),)
        summary = gettext("Counts over the sites you may see.")
    else:
        summary = gettext(
            "Counts only: the events and participants are subject-level data your role does not see."
        )
    return ReportBlock(summary=summary, figures=figures, tables=tables, charts=(chart,) if chart else ())


def portfolio_block(user, studies, today) -> ReportBlock | None:
    if not studies:
        return None
    counts = _counts(user, studies, timezone.now())
    rows = tuple(
        (
            study.code,
            *(
                str(counts.get(study.pk, {}).get(key, 0))
                for key in ("events", "serious_events", "susars", "overdue_obligations")
            ),
        )
        for study in studies
    )
    return ReportBlock(
        summary=gettext("Counts over the sites you may see; no event or participant is named."),
        tables=(
            ReportTable(
                (
                    gettext("Study"),
                    gettext("Adverse events"),
                    gettext("Serious"),
                    gettext("SUSARs"),
                    gettext("Overdue obligations"),
                ),
                rows,
            ),
        ),
    )
