"""The reporting rules: each jurisdiction's from its JSON file, and the committee policies a study adds."""

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from trialdesk.safety.rules.calendars import holiday_calendar_problem
from trialdesk.safety.rules.reportable import PRODUCTS

JURISDICTION_DIR = Path(__file__).parent.parent / "jurisdictions"


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
