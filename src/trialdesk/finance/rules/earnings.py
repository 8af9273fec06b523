"""What the work done at a site earns under its fee schedule (the clinical trial agreement's payment
terms): the pure calculation behind payables and `trialdesk finance earnings` (issue 15 §2).

The rules, as issue 15 states them:

- a completed visit earns its visit fee, a recorded procedure its procedure fee, a screen failure the
  screen-failure fee; **overhead** (a percentage) is added to those three kinds of fee, and **holdback**
  (a percentage of fee + overhead) is withheld from the same lines;
- screen failures beyond the schedule's `max_paid` earn nothing (they are listed with zero amounts, so
  that a reader sees the cap at work);
- start-up, close-out and invoiceable items (ethics fees, pharmacy set-up, pass-through costs) get
  neither overhead nor holdback;
- the close-out releases all holdback withheld so far (a `holdback_release` line on the close-out's day,
  after that day's other work); a later close-out releases only what was withheld since;
- each line is rounded half up to the currency's minor unit (rules.money); totals are sums of lines;
- work after `through` is ignored; work whose code has no fee is reported as unmatched, not an error.

A line's `payable` is always `fee + overhead - holdback`; a release line has a negative holdback.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from trialdesk.finance.rules import money

VISIT, PROCEDURE, SCREEN_FAILURE = "visit", "procedure", "screen_failure"
STARTUP, CLOSEOUT, INVOICE = "startup", "closeout", "invoice"
HOLDBACK_RELEASE = "holdback_release"
KINDS = (VISIT, PROCEDURE, SCREEN_FAILURE, STARTUP, CLOSEOUT, INVOICE)
LINE_KINDS = (*KINDS, HOLDBACK_RELEASE)
# Kinds that get overhead added and holdback withheld.
PER_PARTICIPANT = frozenset({VISIT, PROCEDURE, SCREEN_FAILURE})
KIND_LABELS = {
    VISIT: "Visit",
    PROCEDURE: "Procedure",
    SCREEN_FAILURE: "Screen failure",
    STARTUP: "Start-up",
    CLOSEOUT: "Close-out",
    INVOICE: "Invoiceable item",
    HOLDBACK_RELEASE: "Holdback release",
}


@dataclass(frozen=True)
class FeeSchedule:
    """A site's payment terms, amounts before overhead, in `currency`.

    An invoiceable item of None is paid at cost: the invoice's own amount (pass-through costs).
    """

    currency: str
    overhead_percent: Decimal = money.ZERO
    holdback_percent: Decimal = money.ZERO
    visit_fees: Mapping[str, Decimal] = field(default_factory=dict)
    procedure_fees: Mapping[str, Decimal] = field(default_factory=dict)
    screen_failure_fee: Decimal | None = None
    screen_failure_max_paid: int | None = None
    startup_fee: Decimal | None = None
    closeout_fee: Decimal | None = None
    invoiceable: Mapping[str, Decimal | None] = field(default_factory=dict)

    def fee_for(self, work: "WorkDone") -> Decimal | None:
        """The fee the schedule sets for this piece of work, None when it sets none."""
        if work.kind == VISIT:
            return self.visit_fees.get(work.code or "")
        if work.kind == PROCEDURE:
            return self.procedure_fees.get(work.code or "")
        if work.kind == SCREEN_FAILURE:
            return self.screen_failure_fee
        if work.kind == STARTUP:
            return self.startup_fee
        if work.kind == CLOSEOUT:
            return self.closeout_fee
        if work.kind == INVOICE and (work.code or "") in self.invoiceable:
            scheduled = self.invoiceable[work.code or ""]
            return work.amount if scheduled is None else scheduled
        return None


@dataclass(frozen=True)
class WorkDone:
    """One piece of work that may earn a fee: what, which code, for whom, on which day.

    `source` identifies the record it comes from (the app's idempotency key, e.g. "visit:42"); `amount`
    is an invoice's own amount, used for items paid at cost.
    """

    kind: str
    on: dt.date
    code: str | None = None
    participant: str | None = None
    source: str = ""
    amount: Decimal | None = None


@dataclass(frozen=True)
class Line:
    """What one piece of work earned, in the schedule's currency."""

    on: dt.date
    kind: str
    code: str | None
    participant: str | None
    fee: Decimal
    overhead: Decimal
    holdback: Decimal
    payable: Decimal
    currency: str
    source: str = ""

    @property
    def earned(self) -> Decimal:
        return self.fee + self.overhead

    def as_json(self) -> dict:
        text = lambda amount: money.as_text(amount, self.currency)  # noqa: E731
        return {
            "on": self.on.isoformat(),
            "kind": self.kind,
            "code": self.code,
            "participant": self.participant,
            "fee": text(self.fee),
            "overhead": text(self.overhead),
            "holdback": text(self.holdback),
            "payable": text(self.payable),
        }


@dataclass(frozen=True)
class Earnings:
    """The lines earned, the work nothing matched, and their totals."""

    currency: str
    lines: tuple[Line, ...]
    unmatched: tuple[WorkDone, ...]

    @property
    def earned(self) -> Decimal:
        return sum((line.earned for line in self.lines), money.ZERO)

    @property
    def holdback_withheld(self) -> Decimal:
        return sum((line.holdback for line in self.lines if line.holdback > 0), money.ZERO)

    @property
    def holdback_released(self) -> Decimal:
        return -sum((line.holdback for line in self.lines if line.holdback < 0), money.ZERO)

    @property
    def payable(self) -> Decimal:
        return sum((line.payable for line in self.lines), money.ZERO)

    def as_json(self) -> dict:
        text = lambda amount: money.as_text(amount, self.currency)  # noqa: E731
        return {
            "currency": self.currency,
            "earned": text(self.earned),
            "holdback_withheld": text(self.holdback_withheld),
            "holdback_released": text(self.holdback_released),
            "payable": text(self.payable),
            "lines": [line.as_json() for line in self.lines],
            "unmatched": [
                {"kind": w.kind, "code": w.code, "participant": w.participant, "on": w.on.isoformat()}
                for w in self.unmatched
            ],
        }


def schedule_on(schedules: Sequence[tuple[dt.date | None, FeeSchedule]], day: dt.date) -> FeeSchedule:
    """The schedule in effect on `day`: the latest whose effective date is not after it (the earliest for
    work done before any: an agreement signed after the work began still pays for it)."""
    return _Schedules(schedules).on(day)


class _Schedules:
    """Schedules sorted once by effective date, looked up by day with a binary search."""

    def __init__(self, schedules: Sequence[tuple[dt.date | None, FeeSchedule]]):
        ordered = sorted(schedules, key=lambda pair: pair[0] or dt.date.min)
        self.days = [on or dt.date.min for on, _ in ordered]
        self.schedules = [schedule for _, schedule in ordered]

    def on(self, day: dt.date) -> FeeSchedule:
        if len(self.schedules) == 1:
            return self.schedules[0]
        return self.schedules[max(bisect.bisect_right(self.days, day) - 1, 0)]


def _order(indexed: tuple[int, WorkDone]) -> tuple:
    index, work = indexed
    # A close-out releases the holdback of its own day's work too, so it comes last on its day.
    return (work.on, work.kind == CLOSEOUT, index)


def earnings(
    schedules: FeeSchedule | Sequence[tuple[dt.date | None, FeeSchedule]],
    work: Iterable[WorkDone],
    *,
    through: dt.date | None = None,
) -> Earnings:
    """The lines `work` earns under `schedules` (one schedule, or (effective date, schedule) pairs), in
    date order, up to and including `through`."""
    if isinstance(schedules, FeeSchedule):
        schedules = [(None, schedules)]
    in_effect = _Schedules(schedules)
    currency = in_effect.on(dt.date.max).currency
    lines: list[Line] = []
    unmatched: list[WorkDone] = []
    screen_failures_paid = 0
    held = money.ZERO  # withheld and not yet released
    # Each (schedule, fee, percentages or not) is rounded once: a study's 100,000 visits come to a few
    # distinct fees, and the amounts depend on nothing else.
    amounts: dict[tuple, tuple[Decimal, Decimal, Decimal, Decimal]] = {}
    for _, item in sorted(enumerate(work), key=_order):
        if through is not None and item.on > through:
            continue
        schedule = in_effect.on(item.on)
        fee = schedule.fee_for(item)
        if item.kind == CLOSEOUT:
            if fee is None:
                unmatched.append(item)
            else:
                lines.append(_line(item, schedule, fee, False, amounts))
            if held:
                lines.append(_release(item, schedule, held))
                held = money.ZERO
            continue
        if fee is None:
            unmatched.append(item)
            continue
        if item.kind == SCREEN_FAILURE:
            cap = schedule.screen_failure_max_paid
            if cap is not None and screen_failures_paid >= cap:
                fee = money.ZERO
            else:
                screen_failures_paid += 1
        line = _line(item, schedule, fee, item.kind in PER_PARTICIPANT, amounts)
        held += line.holdback
        lines.append(line)
    return Earnings(currency, tuple(lines), tuple(unmatched))


def _line(
    item: WorkDone, schedule: FeeSchedule, fee: Decimal, apply_percentages: bool, amounts: dict
) -> Line:
    key = (id(schedule), fee, apply_percentages)
    found = amounts.get(key)
    if found is None:
        found = amounts[key] = _amounts(schedule, fee, apply_percentages=apply_percentages)
    fee, overhead, holdback, payable = found
    return Line(
        on=item.on,
        kind=item.kind,
        code=item.code,
        participant=item.participant,
        fee=fee,
        overhead=overhead,
        holdback=holdback,
        payable=payable,
        currency=schedule.currency,
        source=item.source,
    )


def _amounts(
    schedule: FeeSchedule, fee: Decimal, *, apply_percentages: bool
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(fee, overhead, holdback, payable) of a line earning `fee` under `schedule`, each rounded."""
    currency = schedule.currency
    fee = money.rounded(fee, currency)
    overhead = holdback = money.rounded(money.ZERO, currency)
    if apply_percentages:
        overhead = money.percent_of(fee, schedule.overhead_percent, currency)
        holdback = money.percent_of(fee + overhead, schedule.holdback_percent, currency)
    return fee, overhead, holdback, fee + overhead - holdback


def _release(closeout: WorkDone, schedule: FeeSchedule, held: Decimal) -> Line:
    zero = money.rounded(money.ZERO, schedule.currency)
    return Line(
        on=closeout.on,
        kind=HOLDBACK_RELEASE,
        code=None,
        participant=None,
        fee=zero,
        overhead=zero,
        holdback=-held,
        payable=held,
        currency=schedule.currency,
        source=f"{closeout.source}:release" if closeout.source else "",
    )
