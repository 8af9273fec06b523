"""What the clocks know of a reportable event, as plain values: products, seriousness, time zones."""

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PRODUCTS = ("drug", "biologic", "device")
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

    @property
    def fatal_or_life_threatening(self) -> bool:
        return "death" in self.seriousness or "life_threatening" in self.seriousness

    def truths(self) -> dict[str, bool]:
        return {
            "serious": self.serious,
            "expected": self.expected,
            "related": self.related,
            "fatal_or_life_threatening": self.fatal_or_life_threatening,
            "fatal": "death" in self.seriousness,
            "unanticipated_device_effect": self.unanticipated_device_effect,
        }


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
