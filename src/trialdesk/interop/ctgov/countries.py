"""Countries as ISO 3166-1 codes from the registry's names, and a site's time zone."""

import datetime as dt
from functools import cache
from importlib import resources

import pycountry

# Country names the registry uses that pycountry does not know by that spelling.
COUNTRY_ALIASES = {
    "turkey": "TR",
    "türkiye": "TR",
    "macedonia, the former yugoslav republic of": "MK",
    "north macedonia": "MK",
    "libyan arab jamahiriya": "LY",
    "palestinian territory, occupied": "PS",
    "palestinian territories, occupied": "PS",
    "virgin islands (u.s.)": "VI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "democratic republic of the congo": "CD",
    "russia": "RU",
    "korea, south": "KR",
    "netherlands antilles": "CW",
    "saint martin": "MF",
    "former serbia and montenegro": "RS",
    "burma": "MM",
    "east timor": "TL",
    "holland": "NL",
}


# Countries and time zones -----------------------------------------------------------------------------


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as ClinicalTrials.gov names it, or None when unknown."""
    if not name:
        return None
    alias = COUNTRY_ALIASES.get(name.strip().casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code → its IANA zones, in the order of tzdata's zone.tab (most populous region first)."""
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _, zone, *_ = line.split("\t")
        zones.setdefault(code, []).append(zone)
    return {code: tuple(found) for code, found in zones.items()}


def _same_clock(zones: tuple[str, ...]) -> bool:
    """Whether every zone keeps the same UTC offsets in winter and summer (Germany's Büsingen does)."""
    from zoneinfo import ZoneInfo

    moments = (dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC), dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC))
    offsets = {tuple(moment.astimezone(ZoneInfo(zone)).utcoffset() for moment in moments) for zone in zones}
    return len(offsets) == 1


@cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


@cache
def time_zone_for(country: str, latitude: float | None, longitude: float | None) -> tuple[str, str | None]:
    """(IANA zone, warning or None) for a site: the geo point's zone, else the country's zone when all its
    zones keep the same clock, else the country's first listed zone (warned), else UTC (warned).

    A point at sea (an `Etc/` zone) is not trusted when the country has zones of its own.
    """
    zones = _zones_by_country().get(country, ())
    if latitude is not None and longitude is not None:
        found = _finder().timezone_at(lng=longitude, lat=latitude)
        if found and not (zones and found.startswith("Etc/")):
            return found, None
    if zones and _same_clock(zones):
        return zones[0], None
    if zones:
        guess = zones[0]
        return guess, f"time zone {guess} assumed for {country}, which has several; check the institution"
    return "UTC", f"no time zone known for country {country}; UTC assumed, set the institution's time zone"
