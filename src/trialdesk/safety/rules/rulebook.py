"""The reporting rules: each jurisdiction's from its JSON file, and the committee policies a study adds.

Every shipped rule carries the law's own dates (`in_force_from`, `in_force_until`: an event is judged by the
rule in force when the reporting party received the information that made it reportable), its citation
(instrument, article, paragraph, date in force, where the text was read) and `verified`: false where the
primary source could not be read when the rule was written, shown as "unverified" wherever the rule is.
"""

import datetime as dt
import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from django.utils.translation import gettext

from trialdesk.safety.rules.calendars import holiday_calendar_problem
from trialdesk.safety.rules.reportable import PRODUCTS

JURISDICTION_DIR = Path(__file__).parent.parent / "jurisdictions"


CLOCKS = ("calendar", "working", "hours")
PARTIES = ("site", "sponsor")
# The jurisdictions a study can report in; PROTOCOL (investigator to sponsor) applies to every study.
JURISDICTIONS = ("US", "EU", "UK", "CA", "JP", "AU", "CH", "CN", "IN", "BR", "KR", "IL")
ALWAYS = "PROTOCOL"
IRB_PREFIX = "IRB:"
EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
# EEA states apply the EU Clinical Trials Regulation too.
EU_CTR_COUNTRIES = EU_MEMBER_STATES | {"IS", "LI", "NO"}
COUNTRY_JURISDICTION = {code: code for code in JURISDICTIONS if code not in ("EU", "UK")} | {"GB": "UK"}
# Where investigators must report serious adverse events within 24 hours unless the protocol exempts that
# kind of event: Regulation (EU) No 536/2014 art. 41(2); SI 2004/1031 reg. 32(1) and (4).
TWENTY_FOUR_HOUR_COUNTRIES = EU_CTR_COUNTRIES | {"GB"}


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
    "device_deficiency": (
        "a device deficiency might have led to a serious adverse event",
        "no device deficiency that might have led to a serious adverse event",
    ),
    "imminent_risk": (
        "the event indicates an imminent risk of death or serious harm",
        "the event indicates no imminent risk of death or serious harm",
    ),
    "foreign_regulatory_measure": (
        "a regulatory measure was taken abroad",
        "no regulatory measure was taken abroad",
    ),
    "research_report": ("a research report shows a risk", "no research report shows a risk"),
    "site_in_country": ("the event happened in the country", "the event happened in another country"),
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
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    verified: bool = True
    citation: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)
    follows: tuple[str, ...] = ()
    distribution: str = ""
    site_in_country: bool = False

    def covers(self, product: str) -> bool:
        """A combination product (drug and device in one study) answers to both rule sets."""
        if product == "combination":
            return bool(self.products & {"drug", "biologic", "device"})
        return product in self.products

    def applies(self, facts: Mapping[str, bool], product: str) -> bool:
        return self.covers(product) and all(facts[name] is value for name, value in self.when)

    def in_force_on(self, day: dt.date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_until is None or day < self.in_force_until
        )

    def unmet(self, facts: Mapping[str, bool], product: str) -> list[str]:
        """Why the rule does not apply, in words (empty when it does)."""
        if not self.covers(product):
            return [f"the product is a {product}"]
        return [
            FACT_WORDS[name][0 if facts[name] else 1] for name, value in self.when if facts[name] is not value
        ]


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


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
        in_force_from=_day(raw.get("in_force_from")),
        in_force_until=_day(raw.get("in_force_until")),
        verified=bool(raw.get("verified", False)),
        citation=raw.get("citation", {}),
        follows=tuple(raw.get("follows", ())),
        distribution=raw.get("distribution", ""),
        site_in_country=bool(raw.get("site_in_country", False)),
    )


@functools.lru_cache(maxsize=1)
def jurisdiction_files() -> dict[str, dict]:
    """Each jurisdiction's rule file as written (name, countries, holiday calendar, rules)."""
    files = {}
    for path in sorted(JURISDICTION_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        files[raw["code"]] = raw
    return files


@functools.lru_cache(maxsize=1)
def rulebook() -> dict[str, tuple[Rule, ...]]:
    """The shipped rules by jurisdiction code, read once from `jurisdictions/*.json`."""
    book = {}
    for raw in jurisdiction_files().values():
        book[raw["code"]] = tuple(
            _rule(r, jurisdiction=raw["code"], holiday_calendar=raw.get("holiday_calendar"))
            for r in raw["rules"]
        )
    return book


def rule_verified(key: str) -> bool:
    """Whether every shipped version of the rule behind an obligation key was checked against its source
    (committee policies and DSURs: the study's own record, nothing to verify)."""
    base = key.split("/")[0]
    found = [rule for rules in rulebook().values() for rule in rules if rule.id == base]
    return all(rule.verified for rule in found)


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
        # The committee's own policy, recorded in the study with its citation: nothing to verify here.
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
            verified=True,
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


def excluded_jurisdictions_problem(excluded: object) -> str | None:
    """A study's excluded jurisdictions: a list of {"code", "reason"}, each reason given."""
    if not isinstance(excluded, list):
        return 'Give a list of {"code": ..., "reason": ...}.'
    for entry in excluded:
        if not isinstance(entry, dict) or entry.get("code") not in JURISDICTIONS:
            return f"Each exclusion names a jurisdiction ({', '.join(JURISDICTIONS)})."
        if not str(entry.get("reason", "")).strip():
            return (
                f"Say why {entry['code']} is excluded (e.g. IND-exempt study, non-significant-risk device)."
            )
    return None


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return found.name if found else code


def jurisdiction_problem(code: str, policies: Iterable[str] = ()) -> str | None:
    """A jurisdiction code, a committee policy IRB:<name>, or an ISO 3166 country (its jurisdiction's rules,
    or a warning that it has none)."""
    if code in JURISDICTIONS or is_country(code):
        return None
    if code.startswith(IRB_PREFIX):
        if code.removeprefix(IRB_PREFIX) in set(policies):
            return None
        known = ", ".join(sorted(policies)) or "none configured"
        return f"No committee policy is named {code.removeprefix(IRB_PREFIX)!r} (known: {known})."
    return (
        f"Unknown jurisdiction {code!r}; use {', '.join(JURISDICTIONS)}, an ISO 3166 country code "
        "or IRB:<policy name>."
    )


def jurisdictions_of_countries(countries: Iterable[str]) -> tuple[str, ...]:
    """The jurisdictions whose rules apply to a study running in `countries` (ISO 3166-1 alpha-2)."""
    found = set()
    for country in countries:
        country = (country or "").upper()
        if code := jurisdiction_of_country(country):
            found.add(code)
    return tuple(code for code in JURISDICTIONS if code in found)


def jurisdiction_of_country(country: str) -> str | None:
    country = (country or "").upper()
    if country in EU_CTR_COUNTRIES:
        return "EU"
    return COUNTRY_JURISDICTION.get(country)


def countries_without_rules(countries: Iterable[str]) -> tuple[str, ...]:
    """The countries (ISO codes) among `countries` for which Trialdesk ships no reporting rules."""
    found = {(c or "").upper() for c in countries if c}
    return tuple(sorted(c for c in found if jurisdiction_of_country(c) is None))


def no_rules_warning(country: str) -> str:
    """The words every page, the API and `trialdesk safety clocks` use for an uncovered country."""
    return gettext("no reporting rules for %(country)s (%(name)s): check its law and report by hand") % {
        "country": country,
        "name": country_name(country),
    }


def countries_of(jurisdiction: str) -> frozenset[str]:
    """The ISO countries a jurisdiction's rules are the law of (EU: the member states and the EEA)."""
    if jurisdiction == "EU":
        return EU_CTR_COUNTRIES
    return frozenset(c for c, j in COUNTRY_JURISDICTION.items() if j == jurisdiction)
