"""Oversight of monitoring per site and per CRA: visits done against the plan, report turnaround
(visit → submitted → approved), open action items by age, SDV coverage against the tier's target,
travel days and carbon. A fixed number of grouped queries for any number of sites, plus each study's
KRIs (for the tiers) unless the caller gives the tiers stored when the KRIs were last scored."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from trialdesk.monitoring.models import (
    ActionItem,
    MonitoringVisit,
    MonitoringVisitStatus,
    SiteMonitoring,
    SourceReview,
    VisitReport,
)
from trialdesk.monitoring.rules import actions as action_rules
from trialdesk.monitoring.rules import oversight as rules
from trialdesk.monitoring.rules import reports as report_rules
from trialdesk.monitoring.selectors.due import (
    DueVisit,
    due_visits,
    local_todays,
    of_sites,
    participants_by_site,
    plans_in_force,
    tiers_of,
)
from trialdesk.monitoring.selectors.tiers import StoredTier
from trialdesk.sites.models import StudySite

AGE_LABELS = tuple(label for _, label in action_rules.AGE_BUCKETS)


@dataclass
class Oversight:
    """The figures of one site, or summed over a CRA's sites."""

    label: str
    sites: int = 0
    visits_done: int = 0
    visits_expected: int = 0
    to_submit: list = field(default_factory=list)  # (visit day, submitted day) pairs
    to_approve: list = field(default_factory=list)  # (submitted day, approved day) pairs
    reports_overdue: int = 0
    open_by_age: dict = field(default_factory=lambda: dict.fromkeys(AGE_LABELS, 0))
    items_overdue: int = 0
    enrolled: int = 0
    sdv_participants: int = 0
    critical_participants: int = 0
    travel_days: Decimal = Decimal(0)
    kg_co2e: Decimal = Decimal(0)
    # one site only:
    site: StudySite | None = None
    study_code: str = ""
    cra: str = ""
    tier: str = ""
    tier_reasons: tuple[str, ...] = ()
    tier_scored_at: dt.datetime | None = None  # None: the KRIs were scored for this page
    sdv_target: int | None = None
    critical_target: int | None = None
    next_due: DueVisit | None = None

    @property
    def median_days_to_submit(self) -> float | None:
        return rules.median_days(self.to_submit)

    @property
    def median_days_to_approve(self) -> float | None:
        return rules.median_days(self.to_approve)

    @property
    def sdv_coverage(self) -> float | None:
        return rules.coverage_percent(self.sdv_participants, self.enrolled)

    @property
    def critical_coverage(self) -> float | None:
        return rules.coverage_percent(self.critical_participants, self.enrolled)

    @property
    def sdv_short(self) -> bool:
        return rules.coverage_gap(self.sdv_coverage, self.sdv_target)

    @property
    def open_items(self) -> int:
        return sum(self.open_by_age.values())

    def absorb(self, other: "Oversight") -> None:
        self.sites += 1
        for name in (
            "visits_done",
            "visits_expected",
            "reports_overdue",
            "items_overdue",
            "enrolled",
            "sdv_participants",
            "critical_participants",
            "travel_days",
            "kg_co2e",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.to_submit += other.to_submit
        self.to_approve += other.to_approve
        for label, n in other.open_by_age.items():
            self.open_by_age[label] += n


def _visits(which: Q) -> dict[int, dict]:
    rows = (
        MonitoringVisit.objects.filter(which, status=MonitoringVisitStatus.CONDUCTED)
        .values("study_site_id")
        .annotate(
            interim=Count("id", filter=Q(visit_type__in=("imv", "for_cause"))),
            travel_days=Coalesce(Sum("travel_days"), Decimal(0)),
            kg=Coalesce(Sum("kg_co2e"), Decimal(0)),
        )
        .order_by()
    )
    return {row["study_site_id"]: row for row in rows}


def _reports(which: Q) -> dict[int, list]:
    found = defaultdict(list)
    rows = VisitReport.objects.filter(which).values_list(
        "study_site_id",
        "status",
        "due_on",
        "submitted_at",
        "approved_at",
        "visit__conducted_on",
        "visit__conducted_end_on",
    )
    for row in rows.order_by():
        found[row[0]].append(row[1:])
    return found


def _open_items(which: Q) -> dict[int, list]:
    found = defaultdict(list)
    rows = ActionItem.objects.filter(which).exclude(status="closed")
    for site_id, status, raised_on, due_on in rows.values_list(
        "study_site_id", "status", "raised_on", "due_on"
    ).order_by():
        found[site_id].append((status, raised_on, due_on))
    return found


def _reviewed(which: Q) -> dict[int, dict]:
    rows = (
        SourceReview.objects.filter(which, kind="sdv")
        .values("study_site_id")
        .annotate(
            participants=Count("participant", distinct=True),
            critical=Count("participant", filter=Q(critical_data=True), distinct=True),
        )
        .order_by()
    )
    return {row["study_site_id"]: row for row in rows}


def site_oversight(
    sites: list[StudySite], *, stored: dict[int, StoredTier] | None = None, next_due: bool = True
) -> list[Oversight]:
    """One row per site (sites with `study` and `institution` loaded), in the order given. `stored`: the
    tiers from the KRI flags stored when they were last scored (else each study's KRIs are scored now);
    `next_due` False leaves out the visit due (a summary per CRA does not show it)."""
    plans = plans_in_force({site.study_id for site in sites})
    if stored is None:
        tiers = tiers_of(sites, plans)
    else:
        planned = {site.pk for site in sites if site.study_id in plans}  # only they have a tier
        tiers = {pk: tier.reading for pk, tier in stored.items() if pk in planned}
    due = {}
    if next_due:
        due = {d.site.pk: d for d in reversed(due_visits(sites, tiers=tiers))}  # the soonest per site
    which = of_sites(sites)
    cras = dict(SiteMonitoring.objects.filter(which).values_list("study_site_id", "cra__username"))
    visits, reports, items = _visits(which), _reports(which), _open_items(which)
    people, reviewed = participants_by_site(which), _reviewed(which)
    todays = local_todays(sites)
    rows = []
    for site in sites:
        today = todays[site.pk]
        plan = plans.get(site.study_id)
        reading = tiers.get(site.pk)
        tier = reading.tier if reading else ""
        rule = next((r for r in plan.tier_rules.all() if r.tier == tier), None) if plan else None
        row = Oversight(
            label=f"{site.study.code} {site.site_number}",
            site=site,
            study_code=site.study.code,
            cra=cras.get(site.pk) or "",
            tier=tier,
            tier_reasons=reading.reasons if reading else (),
            tier_scored_at=stored[site.pk].scored_at if stored and reading else None,
            sdv_target=rule.sdv_percent if rule else None,
            critical_target=rule.critical_sdv_percent if rule else None,
            next_due=due.get(site.pk),
        )
        _fill(
            row,
            today,
            plan,
            rule,
            visits.get(site.pk, {}),
            reports.get(site.pk, []),
            items.get(site.pk, []),
            people.get(site.pk, {}),
            reviewed.get(site.pk, {}),
        )
        rows.append(row)
    return rows


def _fill(row: Oversight, today, plan, rule, visits, reports, items, people, reviewed) -> None:
    row.sites = 1
    row.visits_done = visits.get("interim", 0)
    row.travel_days = visits.get("travel_days", Decimal(0))
    row.kg_co2e = visits.get("kg", Decimal(0))
    if plan and rule:
        row.visits_expected = rules.expected_interim_visits(
            first_enrolled_on=people.get("first"),
            today=today,
            interval_days=rule.interval_days,
            first_imv_weeks=plan.first_imv_weeks,
        )
    for status, due_on, submitted_at, approved_at, visit_on, visit_end in reports:
        submitted = submitted_at.date() if submitted_at else None
        row.to_submit.append((visit_end or visit_on, submitted))
        row.to_approve.append((submitted, approved_at.date() if approved_at else None))
        row.reports_overdue += report_rules.is_overdue(status=status, due_on=due_on, today=today)
    for status, raised_on, due_on in items:
        if status == "open":
            row.open_by_age[action_rules.age_bucket(raised_on=raised_on, today=today)] += 1
        row.items_overdue += action_rules.is_overdue(status=status, due_on=due_on, today=today)
    row.enrolled = people.get("enrolled", 0)
    row.sdv_participants = reviewed.get("participants", 0)
    row.critical_participants = reviewed.get("critical", 0)


def by_cra(rows: list[Oversight]) -> list[Oversight]:
    """The site rows summed per CRA (sites without one under "no CRA")."""
    found: dict[str, Oversight] = {}
    for row in rows:
        found.setdefault(row.cra or "", Oversight(label=row.cra or "no CRA assigned")).absorb(row)
    return sorted(found.values(), key=lambda o: (o.label == "no CRA assigned", o.label))
