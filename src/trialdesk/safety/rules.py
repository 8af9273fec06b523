"""Expedited safety reporting clocks and adverse-event consistency rules: pure functions, no database.

`obligations_for(facts)` is the one clock engine: the `trialdesk safety clocks` command, the services that
store obligations and the benchmarks all call it. The rules themselves are data in `jurisdictions/*.json`
(one file per jurisdiction, a citation on every rule) plus the committee policies a study configures.

Day counting: the day the clock starts is day 0 (21 CFR 312.32(c): "no later than 15 calendar days after
the sponsor's initial receipt"); the obligation is due at the end (23:59:59) of the due day in the
reporting party's time zone, the site's for site obligations and the sponsor's for sponsor obligations.
An hours clock is due exactly that many hours after its start, shown in the party's time zone.
"""

import datetime as dt
import difflib
import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from trialdesk.core.extensions import AMBER, GREEN, RED

JURISDICTION_DIR = Path(__file__).parent / "jurisdictions"
PRODUCTS = ("drug", "biologic", "device")
SERIOUSNESS = (
    "death",
    "life_threatening",
    "hospitalization",
    "disability",
    "congenital_anomaly",
    "other_medically_important",
)
CLOCKS = ("calendar", "working", "hours")
PARTIES = ("site", "sponsor")
# The jurisdictions a study can report in; PROTOCOL (investigator to sponsor) applies to every study.
JURISDICTIONS = ("US", "EU", "UK", "CA", "JP")
ALWAYS = "PROTOCOL"
IRB_PREFIX = "IRB:"
EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
# EEA states apply the EU Clinical Trials Regulation too.
EU_CTR_COUNTRIES = EU_MEMBER_STATES | {"IS", "LI", "NO"}
COUNTRY_JURISDICTION = {"US": "US", "GB": "UK", "CA": "CA", "JP": "JP"}
END_OF_DAY = dt.time(23, 59, 59)
# What each fact a rule may name means, for the reason an obligation is no longer required.
FACT_WORDS = {
    "serious": ("the event is serious", "the event is not serious"),
    "expected": ("the event is expected", "the event is unexpected"),
    "related": ("the event is judged related", "the event is judged not related"),
    "fatal_or_life_threatening": (
        "the event is fatal or life-threatening",
        "the event is neither fatal nor life-threatening",
    ),
    "fatal": ("the event is fatal", "the event is not fatal"),
    "unanticipated_device_effect": (
        "the event is an unanticipated adverse device effect",
        "the event is not an unanticipated adverse device effect",
    ),
}
# The events a committee policy may ask for (IRB:<name> jurisdictions), as rule conditions.
COMMITTEE_EVENT_KINDS = {
    "all_serious": {"serious": True},
    "serious_related": {"serious": True, "related": True},
    "susar": {"serious": True, "expected": False, "related": True},
    "unanticipated_problem": {"expected": False, "related": True},
    "fatal": {"fatal": True},
}


# Holidays ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=512)
def holiday_dates(calendar: str, year: int) -> frozenset[dt.date]:
    """Public holidays of `calendar` in `year`: an ISO country code, `GB-ENG`, or `ECB` (TARGET days)."""
    if calendar == "ECB":
        return frozenset(holidays.financial_holidays("XECB", years=year))
    country, _, subdivision = calendar.partition("-")
    return frozenset(holidays.country_holidays(country, subdiv=subdivision or None, years=year))


def holiday_calendar_problem(calendar: str) -> str | None:
    if calendar == "ECB":
        return None
    country = calendar.partition("-")[0]
    if country not in holidays.list_supported_countries():
        return f"No public holiday calendar is known for {calendar!r}."
    return None


def is_working_day(day: dt.date, calendar: str | None) -> bool:
    if day.weekday() >= 5:
        return False
    return calendar is None or day not in holiday_dates(calendar, day.year)


def add_working_days(start: dt.date, days: int, calendar: str | None) -> dt.date:
    """The `days`-th working day after `start` (the start day itself is day 0, whatever day it is)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return day


# Rules ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One reporting rule of a jurisdiction (or a committee policy): when it applies and its clock."""

    id: str
    jurisdiction: str
    recipient: str
    party: str
    products: frozenset[str]
    when: tuple[tuple[str, bool], ...]
    clock: str
    length: int
    start: str
    rule: str
    description: str
    holiday_calendar: str | None = None
    length_setting: str | None = None

    def applies(self, facts: Mapping[str, bool], product: str) -> bool:
        return product in self.products and all(facts[name] is value for name, value in self.when)

    def unmet(self, facts: Mapping[str, bool], product: str) -> list[str]:
        """Why the rule does not apply, in words (empty when it does)."""
        if product not in self.products:
            return [f"the product is a {product}"]
        return [
            FACT_WORDS[name][0 if facts[name] else 1] for name, value in self.when if facts[name] is not value
        ]


def _rule(raw: dict, *, jurisdiction: str, holiday_calendar: str | None) -> Rule:
    return Rule(
        id=raw["id"],
        jurisdiction=jurisdiction,
        recipient=raw["recipient"],
        party=raw["party"],
        products=frozenset(raw["products"]),
        when=tuple(sorted(raw["when"].items())),
        clock=raw["clock"],
        length=int(raw["length"]),
        start=raw["start"],
        rule=raw["rule"],
        description=raw["description"],
        holiday_calendar=holiday_calendar,
        length_setting=raw.get("length_setting"),
    )


@functools.lru_cache(maxsize=1)
def rulebook() -> dict[str, tuple[Rule, ...]]:
    """The shipped rules by jurisdiction code, read once from `jurisdictions/*.json`."""
    book = {}
    for path in sorted(JURISDICTION_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        book[raw["code"]] = tuple(
            _rule(r, jurisdiction=raw["code"], holiday_calendar=raw.get("holiday_calendar"))
            for r in raw["rules"]
        )
    return book


@dataclass(frozen=True)
class CommitteePolicy:
    """An ethics committee's or IRB's own reporting policy: which events, within how many days."""

    name: str
    committee: str
    event_kind: str
    clock: str
    length: int
    holiday_calendar: str
    citation: str = ""

    def as_rule(self) -> Rule:
        return Rule(
            id=f"{IRB_PREFIX}{self.name}",
            jurisdiction=f"{IRB_PREFIX}{self.name}",
            recipient=self.committee,
            party="site",
            products=frozenset(PRODUCTS),
            when=tuple(sorted(COMMITTEE_EVENT_KINDS[self.event_kind].items())),
            clock=self.clock,
            length=self.length,
            start="site_aware",
            rule=self.citation or f"{self.committee} reporting policy",
            description=f"Report to {self.committee} under its policy ({self.event_kind.replace('_', ' ')})",
            holiday_calendar=self.holiday_calendar,
        )


def committee_policy_problems(
    *, name: str, event_kind: str, clock: str, length: int, holiday_calendar: str
) -> dict[str, str]:
    errors = {}
    if not name or any(c.isspace() or c == ":" for c in name):
        errors["name"] = "Give a short name without spaces or colons, e.g. WIRB-2024."
    if event_kind not in COMMITTEE_EVENT_KINDS:
        errors["event_kind"] = f"Choose one of {', '.join(COMMITTEE_EVENT_KINDS)}."
    if clock not in ("calendar", "working"):
        errors["clock"] = "A committee's clock counts calendar or working days."
    if not 1 <= length <= 365:
        errors["length"] = "Give between 1 and 365 days."
    if problem := holiday_calendar_problem(holiday_calendar):
        errors["holiday_calendar"] = problem
    return errors


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


def jurisdiction_problem(code: str, policies: Iterable[str] = ()) -> str | None:
    if code in JURISDICTIONS:
        return None
    if code.startswith(IRB_PREFIX):
        if code.removeprefix(IRB_PREFIX) in set(policies):
            return None
        known = ", ".join(sorted(policies)) or "none configured"
        return f"No committee policy is named {code.removeprefix(IRB_PREFIX)!r} (known: {known})."
    return f"Unknown jurisdiction {code!r}; use {', '.join(JURISDICTIONS)} or IRB:<policy name>."


def jurisdictions_of_countries(countries: Iterable[str]) -> tuple[str, ...]:
    """The jurisdictions whose rules apply to a study running in `countries` (ISO 3166-1 alpha-2)."""
    found = set()
    for country in countries:
        country = (country or "").upper()
        if country in EU_CTR_COUNTRIES:
            found.add("EU")
        elif country in COUNTRY_JURISDICTION:
            found.add(COUNTRY_JURISDICTION[country])
    return tuple(code for code in JURISDICTIONS if code in found)


# Clocks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """One report an event requires: to whom, under which rule, and by when."""

    key: str
    recipient: str
    jurisdiction: str
    rule: str
    description: str
    party: str
    clock: str
    length: int
    starts_at: dt.datetime
    due_at: dt.datetime
    due_on: dt.date

    def as_json(self) -> dict:
        """The `trialdesk safety clocks --json` shape (field names fixed by issue 4)."""
        return {
            "recipient": self.recipient,
            "jurisdiction": self.jurisdiction,
            "rule": self.rule,
            "clock": self.clock,
            "length": self.length,
            "starts_at": self.starts_at.isoformat(),
            "due_at": self.due_at.isoformat(),
            "due_on": self.due_on.isoformat(),
            "key": self.key,
            "reporting_party": self.party,
            "description": self.description,
        }


def due(
    starts_at: dt.datetime, *, clock: str, length: int, zone: ZoneInfo, holiday_calendar: str | None = None
) -> tuple[dt.datetime, dt.date]:
    """When a clock of `length` units started at `starts_at` runs out, and the local due day, in `zone`."""
    if clock == "hours":
        due_at = (starts_at + dt.timedelta(hours=length)).astimezone(zone)
        return due_at, due_at.date()
    start_day = starts_at.astimezone(zone).date()
    if clock == "calendar":
        due_on = start_day + dt.timedelta(days=length)
    else:
        due_on = add_working_days(start_day, length, holiday_calendar)
    return dt.datetime.combine(due_on, END_OF_DAY, tzinfo=zone), due_on


def rules_for(facts: EventFacts, policies: Mapping[str, CommitteePolicy] | None = None) -> list[Rule]:
    """Every rule of the event's jurisdictions (the protocol's first), committee policies included."""
    found = list(_shipped_rules(tuple(c for c in facts.jurisdictions if not c.startswith(IRB_PREFIX))))
    for code in facts.jurisdictions:
        if code.startswith(IRB_PREFIX):
            found.append((policies or {})[code.removeprefix(IRB_PREFIX)].as_rule())
    return found


@functools.lru_cache(maxsize=128)
def _shipped_rules(jurisdictions: tuple[str, ...]) -> tuple[Rule, ...]:
    book = rulebook()
    return book[ALWAYS] + tuple(rule for code in jurisdictions for rule in book[code])


def obligations_for(
    facts: EventFacts, policies: Mapping[str, CommitteePolicy] | None = None
) -> list[Obligation]:
    """Every reporting obligation the event creates, in rule order."""
    truths = facts.truths()
    made: dict[str, Obligation] = {}
    for rule in rules_for(facts, policies):
        if not rule.applies(truths, facts.product):
            continue
        length = facts.site_to_sponsor_hours if rule.length_setting else rule.length
        zone = zone_of(facts.site_timezone if rule.party == "site" else facts.sponsor_timezone)
        if rule.start.startswith("after:"):
            starts_at = made[rule.start.removeprefix("after:")].due_at
        else:
            starts_at = facts.site_aware_at if rule.start == "site_aware" else facts.sponsor_aware_at
        due_at, due_on = due(
            starts_at, clock=rule.clock, length=length, zone=zone, holiday_calendar=rule.holiday_calendar
        )
        made[rule.id] = Obligation(
            key=rule.id,
            recipient=rule.recipient,
            jurisdiction=rule.jurisdiction,
            rule=rule.rule,
            description=rule.description,
            party=rule.party,
            clock=rule.clock,
            length=length,
            starts_at=starts_at.astimezone(zone),
            due_at=due_at,
            due_on=due_on,
        )
    return list(made.values())


def not_required_reason(
    key: str, facts: EventFacts, policies: Mapping[str, CommitteePolicy] | None = None
) -> str:
    """Why the rule `key` no longer asks for a report on an event with these facts."""
    for rule in rules_for(facts, policies):
        if rule.id == key:
            why = rule.unmet(facts.truths(), facts.product)
            return "No longer required: " + ("; ".join(why) if why else "the rule no longer applies") + "."
    return "No longer required: the study no longer reports in this jurisdiction."


# Recalculation -------------------------------------------------------------------------------------------

OPEN, SUBMITTED, NOT_REQUIRED = "open", "submitted", "not_required"


@dataclass(frozen=True)
class Recalculation:
    """What to change so that the stored obligations of an event match what its latest facts require."""

    create: tuple[Obligation, ...] = ()
    reopen: tuple[Obligation, ...] = ()
    retire: tuple[str, ...] = ()


def recalculate(existing: Mapping[str, str], wanted: Sequence[Obligation]) -> Recalculation:
    """Compare stored obligations (key → status) with those now wanted.

    New ones are created; one marked not required that is wanted again is reopened with its new clock;
    an open one no longer wanted is retired (marked not required). A submitted report stays as it is,
    and an obligation already stored keeps the clock it started with: nothing is deleted or rewritten.
    """
    wanted_keys = {o.key for o in wanted}
    return Recalculation(
        create=tuple(o for o in wanted if o.key not in existing),
        reopen=tuple(o for o in wanted if existing.get(o.key) == NOT_REQUIRED),
        retire=tuple(key for key, status in existing.items() if status == OPEN and key not in wanted_keys),
    )


# Standing of an obligation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How an obligation stands at a moment: open, late (with days late), submitted (late or not)."""

    label: str
    days_late: int | None = None


def obligation_standing(
    *, status: str, due_at: dt.datetime, submitted_at: dt.datetime | None, now: dt.datetime, zone: ZoneInfo
) -> Standing:
    """Late is worked out on read, never stored, so no nightly job is needed and it is never stale."""
    if status == NOT_REQUIRED:
        return Standing("not required")
    moment = submitted_at if status == SUBMITTED and submitted_at else now
    if moment <= due_at:
        return Standing("submitted" if status == SUBMITTED else "open")
    days = max(1, (moment.astimezone(zone).date() - due_at.astimezone(zone).date()).days)
    return Standing("submitted late" if status == SUBMITTED else "late", days)


# Obligation windows --------------------------------------------------------------------------------------


class Window(StrEnum):
    """Where an open obligation's due time stands against now: the obligations board's sections, the
    API's `?window=`, the portfolio's counts and the calendar feed all use these, so that "this week"
    means one thing everywhere.

    The three windows do not overlap, so their counts add up and match the board's sections:
    OVERDUE is due before now; NEXT_24H is due from now until 24 hours from now; THIS_WEEK is due after
    the next 24 hours and less than 7 days (168 hours) from now. They are measured in elapsed time, not
    in calendar days, so a report due at 23:59 in Tokyo and one due at 23:59 in New York are judged alike
    wherever the reader is.
    """

    OVERDUE = "overdue"
    NEXT_24H = "24h"
    THIS_WEEK = "week"


NEXT_24_HOURS = dt.timedelta(hours=24)
NEXT_7_DAYS = dt.timedelta(days=7)


def window_bounds(window: Window, *, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime]:
    """The due times [start, end) that `window` covers at `now`; start is None for OVERDUE (no limit)."""
    if window == Window.OVERDUE:
        return None, now
    if window == Window.NEXT_24H:
        return now, now + NEXT_24_HOURS
    return now + NEXT_24_HOURS, now + NEXT_7_DAYS


def window_of(due_at: dt.datetime, *, now: dt.datetime) -> Window | None:
    """The window an open obligation due at `due_at` is in at `now`; None when due 7 days or more on."""
    for window in Window:
        start, end = window_bounds(window, now=now)
        if (start is None or start <= due_at) and due_at < end:
            return window
    return None


def board_horizon(now: dt.datetime) -> dt.datetime:
    """Open obligations due before this moment are on the board (the end of the last window)."""
    return window_bounds(Window.THIS_WEEK, now=now)[1]


# Annual safety report ------------------------------------------------------------------------------------


def dsur_due_on(*, development_birth_date: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """(data lock point, due date) of the next DSUR: the anniversary of the development international
    birth date (ICH E2F 2.3) and 60 calendar days after it (ICH E2F 2.4; 21 CFR 312.33; EU CTR art. 43)."""
    for year in range(max(today.year - 1, development_birth_date.year + 1), today.year + 2):
        try:
            lock = development_birth_date.replace(year=year)
        except ValueError:  # 29 February
            lock = dt.date(year, 2, 28)
        if lock + dt.timedelta(days=60) >= today:
            return lock, lock + dt.timedelta(days=60)
    raise AssertionError("unreachable: a later anniversary always exists")


# Adverse event consistency -------------------------------------------------------------------------------

RELATED_CAUSALITIES = frozenset({"related", "definitely", "probably", "possibly"})
FATAL_OUTCOME = "fatal"


def is_related(causality: str) -> bool | None:
    """Related for reporting: 'related' or the first three points of the 5-point scale; None if unassessed."""
    if not causality:
        return None
    return causality in RELATED_CAUSALITIES


def adverse_event_problems(
    *,
    grade: int | None,
    outcome: str,
    seriousness: Sequence[str],
    onset_on: dt.date | None,
    resolved_on: dt.date | None,
    site_aware_at: dt.datetime | None,
    sponsor_aware_at: dt.datetime | None,
    site_zone: ZoneInfo | None,
    defined_grades: Iterable[int] | None = None,
) -> dict[str, str]:
    """What is inconsistent in one version of an adverse event, by field (empty when nothing is)."""
    errors = {}
    if grade is not None and not 1 <= grade <= 5:
        errors["grade"] = "CTCAE grades run from 1 to 5."
    elif grade is not None and defined_grades is not None and grade not in set(defined_grades):
        errors["grade"] = f"CTCAE v5.0 defines no grade {grade} for this term."
    if grade == 5 and outcome != FATAL_OUTCOME:
        errors["outcome"] = "Grade 5 is death related to the event: the outcome must be fatal."
    if outcome == FATAL_OUTCOME and "death" not in seriousness:
        errors["seriousness"] = "A fatal event is serious with the criterion death."
    if any(s not in SERIOUSNESS for s in seriousness):
        errors["seriousness"] = f"Use criteria from {', '.join(SERIOUSNESS)}."
    if onset_on and resolved_on and resolved_on < onset_on:
        errors["resolved_on"] = "The event cannot resolve before its onset."
    if onset_on and site_aware_at and site_zone:
        if site_aware_at.astimezone(site_zone).date() < onset_on:
            errors["site_aware_at"] = "The site cannot become aware of the event before its onset."
    if site_aware_at and sponsor_aware_at and sponsor_aware_at < site_aware_at:
        errors["sponsor_aware_at"] = "The sponsor cannot become aware before the site did."
    return errors


def closest_terms(term: str, known: Sequence[str], n: int = 5) -> list[str]:
    """The known terms nearest to `term` (difflib), for 'did you mean'."""
    lowered = {k.lower(): k for k in known}
    return [lowered[m] for m in difflib.get_close_matches(term.lower(), list(lowered), n=n, cutoff=0.5)]


# Health: the safety dimension -----------------------------------------------------------------------------


def obligations_health(*, overdue: int, due_24h: int) -> tuple[str, str]:
    """(colour, why) of a study's safety reporting: red while an open obligation is overdue, amber while
    one falls due in the next 24 hours (Window.NEXT_24H), green otherwise."""
    if overdue:
        return RED, f"{overdue} reporting obligation{'s' if overdue != 1 else ''} overdue"
    if due_24h:
        return AMBER, f"{due_24h} reporting obligation{'s' if due_24h != 1 else ''} due in the next 24 hours"
    return GREEN, "no reporting obligation overdue or due in the next 24 hours"
