"""Dated exchange rates and conversion to the study currency at the rate of the day the money was earned.

A rate says that 1 unit of `base` is worth `rate` units of `quote` on a day (the ECB's reference rates are
published this way: 1 EUR = 1.0852 USD). Reference rates are not published on weekends and bank
holidays, so the rate of a day is the one published that day or, failing that, the latest published in
the `LOOKBACK_DAYS` days before it (the ECB's own advice for days without a fixing); older than that, the
rate is missing, and a conversion that needs it is refused naming the currency pair and the day.
A pair known only the other way round (1 USD = 0.9215 EUR) is used inverted.
"""

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

from trialdesk.finance.rules import money

LOOKBACK_DAYS = 7


class MissingRate(ValueError):
    """No rate for the pair on the day or in the LOOKBACK_DAYS days before it."""

    def __init__(self, base: str, quote: str, on: dt.date):
        self.base, self.quote, self.on = base, quote, on
        super().__init__(
            gettext(
                "No exchange rate %(base)s → %(quote)s on %(day)s or in the %(lookback)s days before it; "
                "enter or import the rate for that day."
            )
            % {"base": base, "quote": quote, "day": on.isoformat(), "lookback": LOOKBACK_DAYS}
        )


@dataclass(frozen=True)
class Conversion:
    """An amount converted at a dated rate, shown both ways."""

    amount: Decimal
    currency: str
    converted: Decimal
    to_currency: str
    rate: Decimal  # 1 `currency` = rate `to_currency`
    rate_on: dt.date

    def both_ways(self) -> str:
        inverse = (Decimal(1) / self.rate).quantize(Decimal("0.000001")) if self.rate else Decimal(0)
        return (
            f"{money.shown(self.amount, self.currency)} = {money.shown(self.converted, self.to_currency)} "
            f"at 1 {self.currency} = {self.rate.normalize():f} {self.to_currency} "
            f"(1 {self.to_currency} = {inverse.normalize():f} {self.currency}) of {self.rate_on.isoformat()}"
        )


class RateBook:
    """The rates known, by pair, for looking up the rate of a day without a query per line."""

    def __init__(self, rates: Iterable[tuple[str, str, dt.date, Decimal]]):
        self._series: dict[tuple[str, str], tuple[list[dt.date], list[Decimal]]] = {}
        for base, quote, on, rate in sorted(rates, key=lambda r: r[2]):
            days, values = self._series.setdefault((base, quote), ([], []))
            days.append(on)
            values.append(Decimal(rate))

    def _latest(self, pair: tuple[str, str], on: dt.date) -> tuple[Decimal, dt.date] | None:
        days, values = self._series.get(pair, ([], []))
        at = bisect.bisect_right(days, on) - 1
        if at < 0 or (on - days[at]).days > LOOKBACK_DAYS:
            return None
        return values[at], days[at]

    def rate_on(self, base: str, quote: str, on: dt.date) -> tuple[Decimal, dt.date]:
        """(rate, day it was published) for 1 `base` in `quote` on `on`; MissingRate when there is none."""
        if base == quote:
            return Decimal(1), on
        found = self._latest((base, quote), on)
        if found is not None:
            return found
        inverse = self._latest((quote, base), on)
        if inverse is not None:
            return Decimal(1) / inverse[0], inverse[1]
        raise MissingRate(base, quote, on)

    def latest(self, base: str, quote: str) -> Decimal | None:
        """The most recent rate of the pair whatever its age (for forecasts, never for payments)."""
        if base == quote:
            return Decimal(1)
        for pair, invert in (((base, quote), False), ((quote, base), True)):
            days, values = self._series.get(pair, ([], []))
            if values:
                return Decimal(1) / values[-1] if invert else values[-1]
        return None

    def convert(self, amount: Decimal, currency: str, to_currency: str, on: dt.date) -> Conversion:
        rate, rate_on = self.rate_on(currency, to_currency, on)
        return convert(amount, currency, to_currency, rate, rate_on)


def convert(amount: Decimal, currency: str, to_currency: str, rate: Decimal, rate_on: dt.date) -> Conversion:
    """`amount` of `currency` in `to_currency` at `rate`, rounded half up to the target's minor unit once."""
    return Conversion(
        amount=amount,
        currency=currency,
        converted=money.rounded(Decimal(amount) * Decimal(rate), to_currency),
        to_currency=to_currency,
        rate=Decimal(rate),
        rate_on=rate_on,
    )


def rate_problems(*, base: str, quote: str, rate) -> Mapping[str, str]:
    """Why a rate cannot be stored, by field."""
    problems = {}
    for name, code in (("base", base), ("quote", quote)):
        problem = money.currency_problem(code)
        if problem:
            problems[name] = problem
    if not problems and base == quote:
        problems["quote"] = "A rate converts between two different currencies."
    if rate is None or Decimal(rate) <= 0:
        problems["rate"] = (
            "A rate is a positive number: how many units of the quote currency 1 unit of base buys."
        )
    return problems
