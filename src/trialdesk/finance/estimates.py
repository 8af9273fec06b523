"""A study's finance at a glance: budget, spent, committed, estimate at completion (10/50/90 %), variance,
monthly burn and each site's payables, built from a fixed number of queries whatever the number of sites
(rules.forecast has the method and its source).

Participant-driven costs come from the enrollment forecast the statistics app stores (latest snapshot,
read, never computed here): the participants still expected by the planned last-participant-in date at
the forecast's 10–90 % band, capped at the number still needed to reach the target, each costing the
average of the sites' schedule cost weighted by each site's share of the expected recruits. Without a
forecast, the participants still needed to reach the target are expected, with no band.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext, ngettext

from trialdesk.finance import selectors
from trialdesk.finance.models import FeeSchedule
from trialdesk.finance.rules import forecast, money
from trialdesk.sites.rules import FINAL_STATUSES
from trialdesk.statistics.forecasts import latest_forecasts
from trialdesk.subjects.models import Participant, ParticipantStatus
from trialdesk.visits.models import ScheduledVisit, VisitDefinition, VisitStatus

ACTIVE = (
    ParticipantStatus.ENROLLED,
    ParticipantStatus.RANDOMIZED,
    ParticipantStatus.ON_TREATMENT,
    ParticipantStatus.FOLLOW_UP,
)
TRACKED = ("sites", "vendors")


@dataclass
class StudyFinance:
    """What the Finance tab, the health signal, the API and `trialdesk finance eac` show."""

    currency: str
    budget: Decimal
    budget_version: object
    spent: Decimal
    spent_by_category: dict
    committed: Decimal
    eac: dict
    variance: Decimal
    to_come: forecast.CostToCome
    participants: dict
    participants_basis: str
    burn: list
    sites: list = field(default_factory=list)
    vendors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def shown(self, amount) -> str:
        return money.shown(amount, self.currency)

    def as_json(self) -> dict:
        text = lambda amount: money.as_text(amount, self.currency)  # noqa: E731
        return {
            "currency": self.currency,
            "budget": text(self.budget),
            "spent": text(self.spent),
            "committed": text(self.committed),
            "eac": {q: text(v) for q, v in self.eac.items()},
            "variance": text(self.variance),
        }


def study_finance(study, today: dt.date, *, with_sites: bool = True) -> StudyFinance | None:
    """The study's figures, or None while it has no budget (nothing to measure against)."""
    version = selectors.current_budget(study)
    if version is None:
        return None
    currency = version.currency
    warnings: list[str] = []
    vendors = selectors.vendor_totals(study, currency)
    if any(v.study_invoiced is None or v.study_remaining is None for v in vendors):
        warnings.append(
            gettext("A vendor contract's currency has no exchange rate to the study currency yet.")
        )
    lines = selectors.line_summary(study, today, days_to_pay=with_sites)
    spent_by = selectors.spent_by_category(lines.earned_by_kind, currency, vendors)
    spent = sum(spent_by.values(), money.ZERO)
    committed = sum((v.study_remaining or money.ZERO for v in vendors), money.ZERO)
    schedules = _current_schedules(study, today)
    sites = selectors.sites_of(study)
    book = selectors.rate_book({currency} | {s.currency for s in schedules.values()})
    costs = _participant_costs(study, schedules, currency, book, warnings)
    participants, basis, shares = _expected_participants(study)
    average = _weighted_cost(costs, shares)
    to_come = forecast.CostToCome(
        scheduled_visits=_scheduled_visits_cost(study, schedules, currency, book),
        new_participants={q: n * average for q, n in participants.items()},
        fixed=_fixed_to_come(sites, schedules, currency, book),
        committed=committed,
        untracked=forecast.untracked_to_come(
            {c: version.amount_of(c) for c, _, _ in version.category_rows()}, spent_by, TRACKED
        ),
    )
    eac = forecast.estimate_at_completion(spent=spent, to_come=to_come, currency=currency)
    return StudyFinance(
        currency=currency,
        budget=money.rounded(version.total, currency),
        budget_version=version,
        spent=money.rounded(spent, currency),
        spent_by_category=spent_by,
        committed=money.rounded(committed, currency),
        eac=eac,
        variance=forecast.variance_at_completion(
            budget=money.rounded(version.total, currency), eac=eac["0.5"]
        ),
        to_come=to_come,
        participants=participants,
        participants_basis=basis,
        burn=forecast.monthly_burn(lines.earned_by_month.items(), lines.paid_by_month.items()),
        sites=_site_rows(sites, lines.sites) if with_sites else [],
        vendors=vendors,
        warnings=warnings,
    )


def _current_schedules(study, today: dt.date) -> dict[int, FeeSchedule]:
    """Each site's schedule in effect today: the latest that has started, else (only future schedules)
    the earliest, the next to come into effect. One read of the study's schedules."""
    found: dict[int, FeeSchedule] = {}
    for schedule in FeeSchedule.objects.filter(study=study).order_by("effective_on", "id"):
        current = found.get(schedule.study_site_id)
        if current is None or schedule.effective_on <= today:
            found[schedule.study_site_id] = schedule
    return found


def _with_overhead(fee, schedule: FeeSchedule) -> Decimal:
    return Decimal(fee) * (1 + Decimal(schedule.overhead_percent) / money.HUNDRED)


def _rate(book, schedule, currency, warnings) -> Decimal:
    rate = book.latest(schedule.currency, currency)
    if rate is None:
        warnings.append(
            gettext("No exchange rate %(base)s → %(quote)s: that site's forecast counts as 0.")
            % {"base": schedule.currency, "quote": currency}
        )
        return money.ZERO
    return rate


def _participant_costs(study, schedules, currency, book, warnings) -> dict[int, Decimal]:
    """Each site's cost of one participant's whole schedule (the latest protocol version's visits)."""
    definitions = VisitDefinition.objects.filter(protocol_version__study=study).order_by(
        "-protocol_version_id"
    )
    latest = definitions.values_list("protocol_version_id", flat=True).first()
    codes = (
        list(definitions.filter(protocol_version_id=latest).values_list("code", flat=True)) if latest else []
    )
    found = {}
    for site_id, schedule in schedules.items():
        fees = schedule.visit_fees or {}
        per_participant = sum(
            (_with_overhead(fees[c], schedule) for c in codes if fees.get(c) is not None), money.ZERO
        )
        found[site_id] = per_participant * _rate(book, schedule, currency, warnings)
    return found


def _expected_participants(study) -> tuple[dict[str, Decimal], str, dict[int, Decimal]]:
    """(participants still to come at 10/50/90 %, where the figure comes from, each site's share)."""
    enrolled = (
        Participant.objects.filter(study=study, enrolled_on__isnull=False)
        .exclude(status=ParticipantStatus.SCREENING)
        .count()
    )
    needed = max(study.planned_enrollment - enrolled, 0)
    snapshot = latest_forecasts([study.pk]).get(study.pk)
    if snapshot is None or not snapshot.has_forecast or not snapshot.curve:
        why = (
            gettext("no enrollment forecast yet")
            if snapshot is None
            else (snapshot.reason or gettext("the forecast has no band"))
        )
        n = Decimal(needed)
        basis = ngettext(
            "the %(needed)s participants still needed (%(why)s)",  # English keeps its wording for 1
            "the %(needed)s participants still needed (%(why)s)",
            needed,
        ) % {"needed": needed, "why": why}
        return {"0.1": n, "0.5": n, "0.9": n}, basis, {}
    end = snapshot.planned_end
    points = [p for p in snapshot.curve if end is None or p["on"] <= end.isoformat()] or snapshot.curve[:1]
    point = points[-1]
    quantiles = forecast.participant_quantiles(
        expected=Decimal(str(point["mean"])) - enrolled,
        lower=Decimal(point["lower"]) - enrolled,
        upper=Decimal(point["upper"]) - enrolled,
        still_to_enroll=needed,
    )
    shares = {}
    for row in snapshot.sites:
        predicted = row.get("predicted_by_planned_end")
        more = (
            (Decimal(str(predicted)) - row["enrolled"])
            if predicted is not None
            else Decimal(str(row.get("rate_per_day") or 0))
        )
        shares[row["site_id"]] = max(more, money.ZERO)
    return (
        quantiles,
        gettext("the enrollment forecast of %(day)s (10–90 %% band, by %(end)s)")
        % {"day": snapshot.as_of.isoformat(), "end": point["on"]},
        shares,
    )


def _weighted_cost(costs: dict[int, Decimal], shares: dict[int, Decimal]) -> Decimal:
    weights = {site: shares.get(site, money.ZERO) for site in costs}
    total = sum(weights.values(), money.ZERO)
    if not costs:
        return money.ZERO
    if not total:
        return sum(costs.values(), money.ZERO) / len(costs)
    return sum((costs[site] * weight for site, weight in weights.items()), money.ZERO) / total


def _scheduled_visits_cost(study, schedules, currency, book) -> Decimal:
    rows = (
        ScheduledVisit.objects.filter(
            participant__study=study, status=VisitStatus.SCHEDULED, participant__status__in=ACTIVE
        )
        .values_list("participant__study_site_id", "definition__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    total = money.ZERO
    for site_id, code, n in rows:
        schedule = schedules.get(site_id)
        fee = (schedule.visit_fees or {}).get(code or "") if schedule else None
        rate = book.latest(schedule.currency, currency) if schedule else None
        if fee is not None and rate is not None:
            total += _with_overhead(fee, schedule) * n * rate
    return total


def _fixed_to_come(sites: dict, schedules, currency, book) -> Decimal:
    """Start-up fees of sites not yet activated and close-out fees of sites not yet closed (activation and
    close-out are what earn them: services.facts)."""
    total = money.ZERO
    for site in sites.values():
        schedule = schedules.get(site.pk)
        rate = book.latest(schedule.currency, currency) if schedule else None
        if schedule is None or rate is None or site.status == "terminated":
            continue
        if schedule.startup_fee and not site.activated_on:
            total += schedule.startup_fee * rate
        if schedule.closeout_fee and site.status not in FINAL_STATUSES:
            total += schedule.closeout_fee * rate
    return total


def _site_rows(sites: dict, totals: dict[int, selectors.SiteTotals]) -> list[selectors.SiteTotals]:
    """Every site of the study with its totals (a site with no lines yet shows dashes), by site number."""
    rows = []
    for site in sites.values():
        row = totals.get(site.pk) or selectors.SiteTotals(site_id=site.pk)
        row.site_number = site.site_number
        rows.append(row)
    return sorted(rows, key=lambda row: row.site_number)
