"""The rules for biological samples crossing borders, as data and pure functions (no I/O).

Which permits a country pair needs
----------------------------------
| from (the site) | to (the laboratory) | permit needed | rule |
|---|---|---|---|
| an EU member state | an EU member state | none | `EU-INTERNAL` (unverified) |
| CN | anywhere else | export: HGR export approval (HGRAC) | `CN-HGR-EXPORT` (unverified) |
| IN | anywhere else | export: NOC (ICMR/DHR; CDSCO for drugs) | `IN-ICMR-EXPORT` |
| anywhere else | US | import: CDC import permit, infectious samples only | `US-CDC-IMPORT` |
| anything else | | none shipped here | |

Each rule carries its citation and whether its source was read (`verified`); pages show "unverified"
where it was not, the way the regulatory rules do. A pair with no rule needs no permit as far as
Trialdesk knows: the study team checks the countries this table does not name.

Reconciliation
--------------
Every sample collected is either waiting at its site, in transit, received by the laboratory, or a
discrepancy: sent but not received, or received in a state other than good.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from trialdesk.safety.rules.rulebook import EU_MEMBER_STATES

EXPORT, IMPORT = "export", "import"
# "My work": permits ending within this many days are due for renewal (Trialdesk's policy).
PERMIT_RENEWAL_DAYS = 60
# "My work": a site ships what it collected within this many days (Trialdesk's policy; the protocol's
# laboratory manual may say sooner, and a study sets its own by shipping sooner).
SHIP_WITHIN_DAYS = 30
# "My work": a shipment not received this many days after it left is chased (Trialdesk's policy).
RECEIPT_EXPECTED_DAYS = 5


@dataclass(frozen=True)
class PermitRule:
    """A permit a country requires for human biological samples leaving it (export) or entering it
    (import), from whom, under which law, and whether Trialdesk's authors read that law (`verified`)."""

    key: str
    direction: str
    country: str  # export: the site's country; import: the laboratory's
    authority: str
    what: str
    citation: str
    verified: bool
    source: str = ""
    infectious_only: bool = False


PERMIT_RULES: tuple[PermitRule, ...] = (
    PermitRule(
        "CN-HGR-EXPORT",
        EXPORT,
        "CN",
        "Human Genetic Resources Administration of China (HGRAC), MOST",
        "approval to take human genetic resource materials (organs, tissues, cells, blood) out of China",
        "Regulation on the Management of Human Genetic Resources (State Council Decree No. 717, 2019), "
        "Art. 27",
        verified=False,
        source="https://www.chinalawtranslate.com/en/p-r-c-regulation-on-the-management-of-human-genetic-resources/",
    ),
    PermitRule(
        "IN-ICMR-EXPORT",
        EXPORT,
        "IN",
        "Indian Council of Medical Research / Department of Health Research (ICMR/DHR); CDSCO for "
        "materials under the Drugs and Cosmetics Act; HMSC for international collaborative research",
        "no objection certificate to export human biological samples (ITC(HS) Schedule 2, chapter 30)",
        "DGFT export policy for human biological samples, ITC(HS) Schedule 2, chapter 30; ICMR portal for "
        "export of human biological material",
        verified=True,
        source="https://www.icmr.gov.in/portal-for-export-of-human-biological-material",
    ),
    PermitRule(
        "US-CDC-IMPORT",
        IMPORT,
        "US",
        "Centers for Disease Control and Prevention (CDC) Import Permit Program",
        "import permit for infectious biological agents and materials known or suspected to contain them",
        "42 CFR 71.54 (as amended, 78 FR 7674, in force 5 April 2013)",
        verified=True,
        source="https://www.gpo.gov/fdsys/pkg/FR-2013-02-04/html/2013-02391.htm",
        infectious_only=True,
    ),
)
EU_INTERNAL = PermitRule(
    "EU-INTERNAL",
    "",
    "EU",
    "",
    "no import or export permit between EU member states (one internal market)",
    "TFEU Art. 28-30, 34-35 (free movement of goods)",
    verified=False,
)


def rule_verified(key: str) -> bool:
    return next((rule.verified for rule in (*PERMIT_RULES, EU_INTERNAL) if rule.key == key), False)


def required_permits(*, from_country: str, to_country: str, infectious: bool) -> tuple[PermitRule, ...]:
    """The permits samples need from the site's country to the laboratory's (in the table's order).

    >>> [rule.key for rule in required_permits(from_country="CN", to_country="US", infectious=False)]
    ['CN-HGR-EXPORT']
    >>> required_permits(from_country="DE", to_country="FR", infectious=True)
    ()
    """
    if from_country == to_country:
        return ()
    if from_country in EU_MEMBER_STATES and to_country in EU_MEMBER_STATES:
        return ()
    needed = []
    for rule in PERMIT_RULES:
        if rule.infectious_only and not infectious:
            continue
        if (rule.direction == EXPORT and rule.country == from_country) or (
            rule.direction == IMPORT and rule.country == to_country
        ):
            needed.append(rule)
    return tuple(needed)


@dataclass(frozen=True)
class PermitFacts:
    """A permit as the rules read it."""

    id: int | None
    direction: str
    from_country: str
    to_country: str
    valid_from: dt.date
    valid_until: dt.date
    sample_type_codes: tuple[str, ...] = ()


def permit_problem(
    permit: PermitFacts,
    *,
    direction: str,
    from_country: str,
    to_country: str,
    on: dt.date,
    codes: Iterable[str],
) -> str | None:
    """Why `permit` does not allow these samples across this border on `on` (None: it does)."""
    if permit.direction != direction:
        return gettext("This is an %(direction)s permit; choose an %(direction2)s permit.") % {
            "direction": permit.direction,
            "direction2": direction,
        }
    if (permit.from_country, permit.to_country) != (from_country, to_country):
        return gettext(
            "This permit is for %(from_country)s → %(to_country)s; the samples go "
            "%(from_country2)s → %(to_country2)s."
        ) % {
            "from_country": permit.from_country,
            "to_country": permit.to_country,
            "from_country2": from_country,
            "to_country2": to_country,
        }
    if on < permit.valid_from:
        return gettext("This permit is valid from %(valid_from)s, after the shipment.") % {
            "valid_from": permit.valid_from.isoformat()
        }
    if on > permit.valid_until:
        return gettext("This permit expired on %(valid_until)s.") % {
            "valid_until": permit.valid_until.isoformat()
        }
    uncovered = sorted(set(codes) - set(permit.sample_type_codes)) if permit.sample_type_codes else []
    if uncovered:
        return gettext("This permit does not cover sample type %(uncovered)s.") % {
            "uncovered": ", ".join(uncovered)
        }
    return None


def shipment_permit_problems(
    *,
    from_country: str,
    to_country: str,
    infectious: bool,
    codes: Iterable[str],
    on: dt.date,
    export_permit: PermitFacts | None,
    import_permit: PermitFacts | None,
) -> dict[str, str]:
    """What is wrong with the permits a shipment names, by field (`export_permit`, `import_permit`)."""
    codes = tuple(codes)
    problems = {}
    needed = {
        rule.direction: rule
        for rule in required_permits(from_country=from_country, to_country=to_country, infectious=infectious)
    }
    for direction, permit in ((EXPORT, export_permit), (IMPORT, import_permit)):
        name = f"{direction}_permit"
        if permit is None:
            if rule := needed.get(direction):
                unverified = "" if rule.verified else " (rule unverified)"
                problems[name] = (
                    f"Samples from {from_country} to {to_country} need an {direction} permit: {rule.what}, "
                    f"from {rule.authority} ({rule.citation}){unverified}. Record the permit and choose it."
                )
            continue
        if problem := permit_problem(
            permit, direction=direction, from_country=from_country, to_country=to_country, on=on, codes=codes
        ):
            problems[name] = problem
    return problems


def expiring(valid_until: dt.date, *, today: dt.date, within_days: int = PERMIT_RENEWAL_DAYS) -> bool:
    """Whether a permit still valid today ends within `within_days` (the day itself counted)."""
    return today <= valid_until <= today + dt.timedelta(days=within_days)


# --- temperature ----------------------------------------------------------------------------------


class TemperatureLogError(ValueError):
    """A line of a temperature log that cannot be read (its message names the line)."""


def parse_temperature_log(text: str) -> list[dict]:
    """Readings from lines of "ISO time with offset, °C" (blank lines skipped), as {"at", "celsius"}.

    >>> parse_temperature_log("2026-12-01T08:00:00+00:00, -78.5")
    [{'at': '2026-12-01T08:00:00+00:00', 'celsius': '-78.5'}]
    """
    readings = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 2:
            raise TemperatureLogError(f"Line {number}: give a time and a temperature separated by a comma.")
        try:
            at = dt.datetime.fromisoformat(parts[0])
        except ValueError:
            problem = f"Line {number}: {parts[0]!r} is not a time such as 2026-12-01T08:00Z."
            raise TemperatureLogError(problem) from None
        if at.utcoffset() is None:
            raise TemperatureLogError(f"Line {number}: give the time's zone, e.g. +00:00.")
        try:
            celsius = Decimal(parts[1])
        except InvalidOperation:
            raise TemperatureLogError(f"Line {number}: {parts[1]!r} is not a temperature in °C.") from None
        if not celsius.is_finite() or not Decimal(-273) <= celsius <= Decimal(100):
            raise TemperatureLogError(f"Line {number}: {parts[1]} °C is out of range.")
        readings.append({"at": at.astimezone(dt.UTC).isoformat(), "celsius": str(celsius)})
    return readings


def storage_range(ranges: Iterable[tuple[Decimal, Decimal]]) -> tuple[Decimal, Decimal] | None:
    """The range every sample in a shipment tolerates: the highest minimum and the lowest maximum."""
    ranges = list(ranges)
    if not ranges:
        return None
    return max(low for low, _ in ranges), min(high for _, high in ranges)


def excursions(readings: Iterable[dict], *, low: Decimal, high: Decimal) -> list[dict]:
    """The readings outside [low, high]."""
    return [reading for reading in readings if not low <= Decimal(str(reading["celsius"])) <= high]


# --- reconciliation -------------------------------------------------------------------------------

WAITING, IN_TRANSIT, RECEIVED, NOT_RECEIVED, RECEIVED_DAMAGED = (
    "waiting",
    "in_transit",
    "received",
    "not_received",
    "received_not_good",
)
DISCREPANCY_LABELS = {
    NOT_RECEIVED: "shipped but not received by the laboratory",
    RECEIVED_DAMAGED: "received in a state other than good",
}


def sample_state(*, shipped: bool, shipment_received: bool, received: bool | None, condition: str) -> str:
    """Where a sample stands: waiting at its site, in transit, received, or a discrepancy."""
    if not shipped:
        return WAITING
    if not shipment_received:
        return IN_TRANSIT
    if not received:
        return NOT_RECEIVED
    if condition and condition != "good":
        return RECEIVED_DAMAGED
    return RECEIVED


@dataclass
class SiteReconciliation:
    """Per site: collected, shipped and received counts, and the samples that do not add up."""

    study_site_id: int
    collected: int = 0
    shipped: int = 0
    received: int = 0
    in_transit: int = 0
    waiting: int = 0
    discrepancies: list[tuple[str, str]] = field(default_factory=list)  # (sample key, state)

    @property
    def balanced(self) -> bool:
        return not self.discrepancies and self.collected == self.waiting + self.in_transit + self.received


def reconcile(rows: Iterable[tuple[int, str, str]]) -> dict[int, SiteReconciliation]:
    """Counts per site from (study site id, sample key, state) rows, states as `sample_state` gives."""
    sites: dict[int, SiteReconciliation] = {}
    for site_id, key, state in rows:
        site = sites.setdefault(site_id, SiteReconciliation(site_id))
        site.collected += 1
        if state == WAITING:
            site.waiting += 1
            continue
        site.shipped += 1
        if state == IN_TRANSIT:
            site.in_transit += 1
        elif state == RECEIVED:
            site.received += 1
        elif state == RECEIVED_DAMAGED:
            site.received += 1
            site.discrepancies.append((key, state))
        else:
            site.discrepancies.append((key, state))
    return sites
