"""Burn rate, estimate at completion and the budget dimension of a study's health (issue 15 §4).

**Estimate at completion** is issue 15's definition, which is earned value management's "bottom-up"
estimate (PMI, *PMBOK Guide*, 6th ed., §7.4.2.2: EAC = AC + bottom-up ETC): what has been spent to date
(AC) plus the cost of the work still to come (ETC), built from

- participant-driven costs: the visits still scheduled for enrolled participants at their sites' fees,
  plus the participants the enrollment forecast still expects (per site, at the 10 %, 50 % and 90 %
  quantiles of its prediction band) times each site's cost of one participant's whole schedule;
- fixed costs: site start-up and close-out fees not yet earned, and what vendor contracts still commit
  (contract value and change orders less what has been invoiced);
- budget categories Trialdesk does not track (investigational product, monitoring travel, other): their
  budget, or what is already spent there if more (no forecast means "as budgeted").

The cost of the work to come rises with the number of participants, so the 10/50/90 % quantiles of the
participants give the 10/50/90 % quantiles of the EAC. **Variance** is variance at completion,
VAC = BAC − EAC (same source): positive is under budget, negative over.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.finance.rules import money

QUANTILES = ("0.1", "0.5", "0.9")
# The budget turns red when the median estimate overruns it by more than this share of the budget.
RED_OVERRUN_PERCENT = Decimal(5)


@dataclass(frozen=True)
class CostToCome:
    """The parts of the estimate to complete (ETC), in the study currency."""

    scheduled_visits: Decimal  # visits still scheduled for enrolled participants
    new_participants: Mapping[str, Decimal]  # quantile -> cost of the participants still expected
    fixed: Decimal  # start-up and close-out fees not yet earned
    committed: Decimal  # vendor contracts' remaining value
    untracked: Decimal  # categories without actuals, as budgeted

    def at(self, quantile: str) -> Decimal:
        return (
            self.scheduled_visits
            + self.new_participants[quantile]
            + self.fixed
            + self.committed
            + self.untracked
        )


def estimate_at_completion(*, spent: Decimal, to_come: CostToCome, currency: str) -> dict[str, Decimal]:
    """EAC = AC + ETC at each quantile, rounded to the currency's minor unit."""
    return {q: money.rounded(spent + to_come.at(q), currency) for q in QUANTILES}


def variance_at_completion(*, budget: Decimal, eac: Decimal) -> Decimal:
    """VAC = BAC − EAC: positive under budget, negative over."""
    return budget - eac


def participant_quantiles(
    *, expected: Decimal, lower: Decimal, upper: Decimal, still_to_enroll: int
) -> dict[str, Decimal]:
    """The participants still to come at 10/50/90 %: the forecast's band, never below 0 nor above the
    number still needed to reach the target (enrollment stops there)."""
    cap = Decimal(max(still_to_enroll, 0))
    clip = lambda value: min(max(Decimal(value), money.ZERO), cap)  # noqa: E731
    return {"0.1": clip(lower), "0.5": clip(expected), "0.9": clip(upper)}


def untracked_to_come(
    budget_by_category: Mapping[str, Decimal],
    spent_by_category: Mapping[str, Decimal],
    tracked: Iterable[str],
) -> Decimal:
    """What the untracked budget categories still add: their budget less what is spent there, never < 0."""
    tracked = set(tracked)
    return sum(
        (
            max(amount - spent_by_category.get(category, money.ZERO), money.ZERO)
            for category, amount in budget_by_category.items()
            if category not in tracked
        ),
        money.ZERO,
    )


@dataclass(frozen=True)
class Month:
    """One month of the burn: earned and paid in it, and cumulative."""

    month: str  # YYYY-MM
    earned: Decimal
    paid: Decimal
    cumulative_earned: Decimal
    cumulative_paid: Decimal


def monthly_burn(
    earned: Iterable[tuple[dt.date, Decimal]], paid: Iterable[tuple[dt.date, Decimal]]
) -> list[Month]:
    """Earned and paid amounts per calendar month from the first to the last month with either, months
    without any included (a burn chart must not skip quiet months)."""
    by_month: dict[str, list[Decimal]] = {}
    for index, rows in enumerate((earned, paid)):
        for day, amount in rows:
            by_month.setdefault(f"{day:%Y-%m}", [money.ZERO, money.ZERO])[index] += amount
    if not by_month:
        return []
    months = []
    totals = [money.ZERO, money.ZERO]
    for key in _months_between(min(by_month), max(by_month)):
        earned_in, paid_in = by_month.get(key, [money.ZERO, money.ZERO])
        totals = [totals[0] + earned_in, totals[1] + paid_in]
        months.append(Month(key, earned_in, paid_in, totals[0], totals[1]))
    return months


def _months_between(first: str, last: str) -> list[str]:
    year, month = (int(part) for part in first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def budget_health(
    *,
    budget: Decimal | None,
    eac: Mapping[str, Decimal] | None,
    currency: str,
    red_overrun_percent: Decimal = RED_OVERRUN_PERCENT,
) -> tuple[str, str]:
    """The budget dimension of a study's health, from the estimate at completion against the budget.

    | situation                                              | colour |
    |---|---|
    | no budget, or no estimate                              | unknown |
    | median EAC over the budget by more than `red_overrun_percent` (5 %) | red |
    | median EAC over the budget                             | amber |
    | median within, but the 90 % EAC over the budget        | amber |
    | 90 % EAC within the budget                             | green |
    """
    if not budget or eac is None:
        return UNKNOWN, gettext("No budget yet: enter the study budget to follow its estimate at completion.")
    median, high = eac["0.5"], eac["0.9"]
    overrun = median - budget
    shown = lambda amount: money.shown(amount, currency)  # noqa: E731
    amounts = {
        "median": shown(median),
        "budget": shown(budget),
        "overrun": shown(overrun),
        "high": shown(high),
    }
    if overrun > budget * red_overrun_percent / money.HUNDRED:
        return (
            RED,
            gettext("Estimate at completion %(median)s overruns the budget %(budget)s by %(overrun)s.")
            % amounts,
        )
    if overrun > 0:
        return (
            AMBER,
            gettext("Estimate at completion %(median)s is over the budget %(budget)s by %(overrun)s.")
            % amounts,
        )
    if high > budget:
        return AMBER, gettext(
            "Estimate at completion %(median)s is within the budget %(budget)s, but at the 90 %% "
            "quantile (%(high)s) it is not."
        ) % amounts
    return GREEN, gettext(
        "Estimate at completion %(median)s is within the budget %(budget)s even at 90 %%."
    ) % amounts


def days_to_pay(earned_on: dt.date, paid_on: dt.date) -> int:
    return (paid_on - earned_on).days


def due_on(earned_on: dt.date, payment_terms_days: int) -> dt.date:
    """When a payable falls due under the agreement's payment terms (calendar days from earning)."""
    return earned_on + dt.timedelta(days=payment_terms_days)
