"""Pure rules of investigational product handling: which kit may be dispensed, what a receipt may say,
what a participant's returns mean for compliance, and when a site's kits are all accounted for.

Sources: ICH E6(R3) Annex 1 §3.16.4 and §2.12 (the investigator's accountability records: delivery, inventory
at the site, use by each participant, return or destruction); EU GMP Annex 13 §§ 24–33 (shipping,
quarantine, destruction records); 21 CFR 312.62(a) (disposition of the drug: dates, quantity, use).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext

#: States a kit at a site may be in, and the ones that end its life there.
SITE_STATES = ("available", "quarantined", "dispensed", "returned", "destroyed", "expired")
FINAL_STATES = frozenset({"destroyed", "lost"})
#: Site statuses in which a site may receive IP (activated or later, not on hold or closed).
RECEIVING_SITE_STATUSES = frozenset({"activated", "enrolling", "enrollment_closed"})
#: Resupply when the study sets none: a shipment takes a week from depot to site, and stock is reviewed
#: every four weeks. A shipment suggested now must cover the protection interval lead time + review
#: period, the periodic-review order-up-to policy (R, S): Silver, Pyke & Thomas, Inventory and
#: Production Management in Supply Chains, 4th ed. (2017), §6.7; as in IRT resupply settings.
DEFAULT_LEAD_TIME_DAYS, DEFAULT_REVIEW_PERIOD_DAYS = 7, 28
MAX_PLANNING_DAYS = 365


def lead_time_problems(*, lead_time_days, review_period_days=None) -> dict[str, str]:
    """What is wrong with a lead time or review period, by field ({} when fine)."""
    problems = {}
    if not isinstance(lead_time_days, int) or not 0 <= lead_time_days <= MAX_PLANNING_DAYS:
        problems["lead_time_days"] = gettext("Give the lead time in whole days, 0 to %(most)s.") % {
            "most": MAX_PLANNING_DAYS
        }
    if review_period_days is not None and (
        not isinstance(review_period_days, int) or not 1 <= review_period_days <= MAX_PLANNING_DAYS
    ):
        problems["review_period_days"] = gettext("Give the review period in whole days, 1 to %(most)s.") % {
            "most": MAX_PLANNING_DAYS
        }
    return problems


def dispensing_problem(*, status: str, expires_on: dt.date, today: dt.date) -> str:
    """Why a kit may not be dispensed today ('' when it may): it must be available at the site and not
    expired (a kit is usable up to and including its expiry date)."""
    if status == "quarantined":
        return gettext(
            "This kit is quarantined after a temperature excursion; it cannot be dispensed until released."
        )
    if status != "available":
        return gettext("This kit is %(value)s, not available; only an available kit is dispensed.") % {
            "value": status.replace("_", " ")
        }
    if expires_on < today:
        return gettext("This kit's lot expired on %(expires_on)s; an expired kit is never dispensed.") % {
            "expires_on": expires_on.isoformat()
        }
    return ""


def receipt_problem(*, kits_shipped: int, kits_received: int, missing: int) -> str:
    """Why a receipt cannot be confirmed ('' when it can): never more kits than were shipped, and the kits
    not received must be named (they are recorded as lost)."""
    if kits_received > kits_shipped:
        return gettext("%(kits_received)s kits received, but the shipment holds only %(kits_shipped)s.") % {
            "kits_received": kits_received,
            "kits_shipped": kits_shipped,
        }
    if kits_shipped - kits_received != missing:
        return gettext(
            "%(value)s kit(s) were not received: name exactly that many "
            "missing kit numbers (%(missing)s named)."
        ) % {"value": kits_shipped - kits_received, "missing": missing}
    return ""


def is_excursion(
    *, low: Decimal | None, high: Decimal | None, storage_min: Decimal, storage_max: Decimal
) -> bool:
    """A logged temperature outside the lot's storage range is an excursion (limits themselves are fine)."""
    return (low is not None and low < storage_min) or (high is not None and high > storage_max)


def compliance_percent(*, units_dispensed: int, units_returned: int, units_expected_taken: int) -> int | None:
    """Units taken (dispensed − returned) as a percentage of the units the participant should have taken,
    rounded to the nearest whole percent; None when nothing was expected (a common pill-count measure)."""
    if units_expected_taken <= 0:
        return None
    taken = units_dispensed - units_returned
    return int((Decimal(100) * taken / units_expected_taken).to_integral_value(rounding="ROUND_HALF_UP"))


@dataclass(frozen=True)
class SiteAccount:
    """Every kit ever sent to a site, by state. `unaccounted` counts kits of received shipments that are
    neither at the site nor recorded lost; `reconciled` means every kit is accounted for and, for close-out,
    `closed_out` that none is left to return or destroy."""

    received: int
    in_transit: int
    by_state: dict
    unaccounted: int

    @property
    def reconciled(self) -> bool:
        return self.unaccounted == 0 and self.in_transit == 0

    @property
    def closed_out(self) -> bool:
        """IP reconciled at close-out: every kit destroyed (or lost, and recorded so), none pending."""
        open_kits = sum(n for state, n in self.by_state.items() if state not in FINAL_STATES)
        return self.reconciled and open_kits == 0 and self.received > 0


@dataclass(frozen=True)
class TemperatureLog:
    """What a data logger's CSV says: how many readings, the lowest and the highest (°C)."""

    readings: int
    lowest: Decimal
    highest: Decimal


#: A logger file larger than this is refused (a year of readings every minute is about 15 MB).
TEMPERATURE_LOG_LIMIT = 2_000_000


def parse_temperature_log(text: str) -> TemperatureLog | str:
    """Read a logger CSV whose last column is the temperature in °C (one reading a line, a header line and
    blank lines allowed; comma or semicolon). Returns the log, or a problem naming the first bad line.

    >>> parse_temperature_log("time,temperature_c\\n2026-01-01T00:00Z,4.5\\n2026-01-01T01:00Z,9.0\\n")
    TemperatureLog(readings=2, lowest=Decimal('4.5'), highest=Decimal('9.0'))
    """
    if len(text) > TEMPERATURE_LOG_LIMIT:
        return gettext("The temperature log is larger than %(temperature_log_limit)s characters.") % {
            "temperature_log_limit": format(TEMPERATURE_LOG_LIMIT, ",")
        }
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.replace(";", ",").split(",")]
        if not any(cells):
            continue
        try:
            value = Decimal(cells[-1])
        except ArithmeticError:
            if number == 1 and not values:
                continue  # the header
            return gettext("Line %(number)s: %(cells)s is not a temperature in °C.") % {
                "number": number,
                "cells": repr(cells[-1]),
            }
        if not value.is_finite() or not Decimal(-100) <= value <= Decimal(100):
            return gettext("Line %(number)s: %(cells)s °C is not a plausible temperature.") % {
                "number": number,
                "cells": cells[-1],
            }
        values.append(value)
    if not values:
        return gettext("The temperature log holds no readings.")
    return TemperatureLog(len(values), min(values), max(values))
