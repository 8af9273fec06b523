"""Pure rules of investigational product handling: which kit may be dispensed, what a receipt may say,
what a participant's returns mean for compliance, and when a site's kits are all accounted for.

Sources: ICH E6(R3) Annex 1 §3.16.4 and §2.12 (the investigator's accountability records: delivery, inventory
at the site, use by each participant, return or destruction); EU GMP Annex 13 §§ 24–33 (shipping,
quarantine, destruction records); 21 CFR 312.62(a) (disposition of the drug: dates, quantity, use).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

#: States a kit at a site may be in, and the ones that end its life there.
SITE_STATES = ("available", "quarantined", "dispensed", "returned", "destroyed", "expired")
FINAL_STATES = frozenset({"destroyed", "lost"})
#: Site statuses in which a site may receive IP (activated or later, not on hold or closed).
RECEIVING_SITE_STATUSES = frozenset({"activated", "enrolling", "enrollment_closed"})


def dispensing_problem(*, status: str, expires_on: dt.date, today: dt.date) -> str:
    """Why a kit may not be dispensed today ('' when it may): it must be available at the site and not
    expired (a kit is usable up to and including its expiry date)."""
    if status == "quarantined":
        return "This kit is quarantined after a temperature excursion; it cannot be dispensed until released."
    if status != "available":
        return f"This kit is {status.replace('_', ' ')}, not available; only an available kit is dispensed."
    if expires_on < today:
        return f"This kit's lot expired on {expires_on.isoformat()}; an expired kit is never dispensed."
    return ""


def receipt_problem(*, kits_shipped: int, kits_received: int, missing: int) -> str:
    """Why a receipt cannot be confirmed ('' when it can): never more kits than were shipped, and the kits
    not received must be named (they are recorded as lost)."""
    if kits_received > kits_shipped:
        return f"{kits_received} kits received, but the shipment holds only {kits_shipped}."
    if kits_shipped - kits_received != missing:
        return (
            f"{kits_shipped - kits_received} kit(s) were not received: name exactly that many missing kit "
            f"numbers ({missing} named)."
        )
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
        return f"The temperature log is larger than {TEMPERATURE_LOG_LIMIT:,} characters."
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
            return f"Line {number}: {cells[-1]!r} is not a temperature in °C."
        if not value.is_finite() or not Decimal(-100) <= value <= Decimal(100):
            return f"Line {number}: {cells[-1]} °C is not a plausible temperature."
        values.append(value)
    if not values:
        return "The temperature log holds no readings."
    return TemperatureLog(len(values), min(values), max(values))
