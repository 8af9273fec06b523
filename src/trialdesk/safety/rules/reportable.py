"""What the clocks know of a reportable event, as plain values: products, seriousness, time zones, and the
information received over time (ICH E2B(R3) C.1.4 "date first received", C.1.5 "date of most recent
information")."""

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# A combination product (a drug and a device in one study) answers to both rule sets.
PRODUCTS = ("drug", "biologic", "device", "combination")
SERIOUSNESS = (
    "death",
    "life_threatening",
    "hospitalization",
    "disability",
    "congenital_anomaly",
    "other_medically_important",
)


# Event facts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Information:
    """A piece of follow-up information as the sponsor received it; None keeps the earlier value."""

    received_at: dt.datetime
    seriousness: tuple[str, ...] | None = None
    expected: bool | None = None
    related: bool | None = None
    significant: bool = False


@dataclass(frozen=True)
class State:
    """What was known of the event once one piece of information had arrived: `number` 1 is the initial
    report (an AE's version 1), each later piece the next number. `site_at` / `sponsor_at` are when the site
    and the sponsor had it (the same moment for follow-up information, which reaches both together)."""

    number: int
    site_at: dt.datetime
    sponsor_at: dt.datetime
    seriousness: tuple[str, ...]
    expected: bool
    related: bool
    significant: bool = False

    def at(self, party: str) -> dt.datetime:
        return self.site_at if party == "site" else self.sponsor_at


@dataclass(frozen=True)
class EventFacts:
    """What the clocks of one event depend on (the `trialdesk safety clocks` input: safety.event_file)."""

    product: str
    jurisdictions: tuple[str, ...]
    serious: bool
    seriousness: tuple[str, ...]
    expected: bool
    related: bool
    site_aware_at: dt.datetime
    sponsor_aware_at: dt.datetime
    site_timezone: str
    sponsor_timezone: str
    unanticipated_device_effect: bool = False
    site_to_sponsor_hours: int = 24
    information: tuple[Information, ...] = ()
    # Reports already made: (obligation key, when), e.g. ("CA-ADR-7D", 2025-03-01T10:00+01:00).
    submitted: tuple[tuple[str, dt.datetime], ...] = ()
    device_deficiency: bool = False
    imminent_risk: bool = False
    foreign_regulatory_measure: bool = False
    research_report: bool = False
    site_country: str = ""
    protocol_exemption: str = ""
    # Countries of the study without shipped rules: warned about, never silently left out.
    uncovered_countries: tuple[str, ...] = ()

    @property
    def fatal_or_life_threatening(self) -> bool:
        return "death" in self.seriousness or "life_threatening" in self.seriousness

    def states(self) -> tuple[State, ...]:
        """The event as known after each piece of information, oldest first (the initial report first)."""
        state = State(
            1, self.site_aware_at, self.sponsor_aware_at, self.seriousness, self.expected, self.related
        )
        found = [state]
        for number, piece in enumerate(self.information, start=2):
            state = State(
                number,
                piece.received_at,
                piece.received_at,
                state.seriousness if piece.seriousness is None else piece.seriousness,
                state.expected if piece.expected is None else piece.expected,
                state.related if piece.related is None else piece.related,
                piece.significant,
            )
            found.append(state)
        return tuple(found)

    def truths(self, state: State | None = None) -> dict[str, bool]:
        """The facts a rule may name, as known at `state` (the latest when None)."""
        state = state or self.states()[-1]
        seriousness = set(state.seriousness)
        return {
            "serious": bool(seriousness),
            "expected": state.expected,
            "related": state.related,
            "fatal_or_life_threatening": bool({"death", "life_threatening"} & seriousness),
            "fatal": "death" in seriousness,
            "unanticipated_device_effect": self.unanticipated_device_effect,
            "device_deficiency": self.device_deficiency,
            "imminent_risk": self.imminent_risk,
            "foreign_regulatory_measure": self.foreign_regulatory_measure,
            "research_report": self.research_report,
        }

    def submitted_at(self, key: str) -> dt.datetime | None:
        return dict(self.submitted).get(key)


# The zone whose day ends first: a sponsor clock counted here is never due later than in the sponsor's own.
EARLIEST_ZONE = "Etc/GMT-14"


def sponsor_time_zone(*, country: str, zone: str) -> str:
    """The sponsor's zone: `zone` when given, else the country's when it keeps one clock, else ""."""
    if zone:
        return zone
    if not country:
        return ""
    from trialdesk.interop.ctgov.countries import time_zone_for

    found, warning = time_zone_for(country, None, None)
    return "" if warning else found


@functools.lru_cache(maxsize=256)
def zone_of(name: str) -> ZoneInfo:
    """A time zone, loaded once (ZoneInfo keeps only a few strongly, and rules ask for the same ones)."""
    return ZoneInfo(name)


def time_zone_problem(name: object) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "Give an IANA time zone, e.g. Europe/Berlin."
    try:
        zone_of(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"Unknown time zone {name!r}; give an IANA name such as America/New_York."
    return None
