"""Breach and incident notification clocks: pure functions over plain values, no database.

The rules are data in `rulebook/*.json` (one file per jurisdiction, each rule citing its source, as the
safety app's `jurisdictions/`). An incident's facts pick the rules that apply; each rule's clock runs on the
safety app's engine (`safety.rules.clocks.due`), so an hours clock is due exactly that many elapsed hours
after awareness (across a daylight-saving change) and a day clock at the end (23:59:59) of its due day in
the reporting party's time zone, the day of awareness being day 0. The reporting party (the controller, the
sponsor, the HIPAA covered entity or business associate) is the organisation, whose zone is the incident's
`sponsor_timezone`.

Two clocks are not simple hours or days from awareness:
- "without undue delay" (GDPR and UK GDPR art. 34: telling the individuals of a high-risk breach) has no
  period in law. It is shown due from the moment of awareness (`due_at` = `starts_at`, `length` 0, clock
  `without_undue_delay`): at the top of the board until done, and never counted late, since no deadline
  was set that could pass.
- HIPAA 164.408(c) (fewer than 500 individuals): the Secretary is told within 60 days after the end of the
  calendar year in which the breach was discovered, so its day 0 is 31 December of that year (in the
  reporting party's zone).
"""

import datetime as dt
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trialdesk.safety.rules import reportable, statuses
from trialdesk.safety.rules.clocks import END_OF_DAY, Obligation, due

RULEBOOK_DIR = Path(__file__).parent / "rulebook"

KINDS = ("personal_data_breach", "serious_breach")
KIND_LABELS = {
    "personal_data_breach": "Personal data breach",
    "serious_breach": "Serious breach of the protocol or GCP",
}
JURISDICTIONS = ("EU", "UK", "US")
RISKS = ("unlikely", "risk", "high")
RISK_LABELS = {
    "unlikely": "Unlikely to result in a risk to individuals",
    "risk": "A risk to individuals",
    "high": "A high risk to individuals",
}
HIPAA_ROLES = ("not_covered", "covered_entity", "business_associate")
HIPAA_ROLE_LABELS = {
    "not_covered": "Not a HIPAA covered entity or business associate",
    "covered_entity": "HIPAA covered entity",
    "business_associate": "HIPAA business associate",
}
WITHOUT_UNDUE_DELAY = "without_undue_delay"
CLOCKS = ("hours", "calendar", "working", WITHOUT_UNDUE_DELAY)
# HIPAA's thresholds: 500 or more individuals (164.408(b)), more than 500 residents of a State (164.406).
SECRETARY_THRESHOLD = 500
MEDIA_THRESHOLD = 500


@dataclass(frozen=True)
class IncidentFacts:
    """What the clocks need to know of one incident."""

    kind: str
    jurisdictions: tuple[str, ...]
    aware_at: dt.datetime
    sponsor_timezone: str
    affected_individuals: int
    risk_to_individuals: str = "risk"
    hipaa_role: str = "covered_entity"
    # Affected residents by US State (e.g. {"CA": 620}); None when not known.
    residents_by_state: tuple[tuple[str, int], ...] | None = None
    submitted: tuple[tuple[str, dt.datetime], ...] = ()


@dataclass(frozen=True)
class BreachRule:
    """One notification rule of a jurisdiction: which incidents, to whom, and its clock."""

    id: str
    jurisdiction: str
    kind: str
    recipient: str
    party: str
    when: tuple[tuple[str, object], ...]
    clock: str
    length: int
    start: str
    rule: str
    description: str
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    verified: bool = False
    citation: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)

    def in_force_on(self, day: dt.date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and (
            self.in_force_until is None or day < self.in_force_until
        )


def _day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


@functools.lru_cache(maxsize=1)
def rulebook() -> dict[str, tuple[BreachRule, ...]]:
    """The shipped rules by jurisdiction, read once from `rulebook/*.json`."""
    book = {}
    for path in sorted(RULEBOOK_DIR.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        book[raw["code"]] = tuple(
            BreachRule(
                id=r["id"],
                jurisdiction=raw["code"],
                kind=r["kind"],
                recipient=r["recipient"],
                party=r["party"],
                when=tuple(sorted(r["when"].items())),
                clock=r["clock"],
                length=int(r["length"]),
                start=r["start"],
                rule=r["rule"],
                description=r["description"],
                in_force_from=_day(r.get("in_force_from")),
                in_force_until=_day(r.get("in_force_until")),
                verified=bool(r.get("verified", False)),
                citation=r.get("citation", {}),
            )
            for r in raw["rules"]
        )
    return book


def rule_verified(key: str) -> bool:
    return all(rule.verified for rules in rulebook().values() for rule in rules if rule.id == key)


# Which rules apply ---------------------------------------------------------------------------------------


def _risk_at_least(facts: IncidentFacts, level: str) -> bool:
    return RISKS.index(facts.risk_to_individuals) >= RISKS.index(level)


def _state_residents_over(facts: IncidentFacts, threshold: int) -> bool:
    """More than `threshold` residents of one State; without counts by State, whenever more than
    `threshold` are affected in all (it cannot be ruled out: a warning says so)."""
    if facts.residents_by_state is not None:
        return any(count > threshold for _, count in facts.residents_by_state)
    return facts.affected_individuals > threshold


CONDITIONS = {
    "risk_at_least": _risk_at_least,
    "hipaa_role": lambda facts, role: facts.hipaa_role == role,
    "affected_at_least": lambda facts, n: facts.affected_individuals >= n,
    "affected_below": lambda facts, n: facts.affected_individuals < n,
    "state_residents_over": _state_residents_over,
}


def applies(rule: BreachRule, facts: IncidentFacts) -> bool:
    return (
        rule.kind == facts.kind
        and rule.in_force_on(facts.aware_at.date())
        and all(CONDITIONS[name](facts, value) for name, value in rule.when)
    )


def rules_for(facts: IncidentFacts) -> list[BreachRule]:
    """Every rule of the incident's jurisdictions that applies to it, in the rulebook's order."""
    book = rulebook()
    return [rule for code in facts.jurisdictions for rule in book.get(code, ()) if applies(rule, facts)]


# Clocks --------------------------------------------------------------------------------------------------


def clock_start(rule: BreachRule, facts: IncidentFacts) -> dt.datetime:
    """When the rule's clock starts: at awareness, or at the end of the calendar year of discovery
    (HIPAA 164.408(c)), in the reporting party's zone."""
    if rule.start == "end_of_calendar_year":
        zone = reportable.zone_of(facts.sponsor_timezone)
        year = facts.aware_at.astimezone(zone).year
        return dt.datetime.combine(dt.date(year, 12, 31), END_OF_DAY, tzinfo=zone)
    return facts.aware_at


def clock_due(rule: BreachRule, starts_at: dt.datetime, zone) -> tuple[dt.datetime, dt.date]:
    """(due time, local due day): the safety engine's clock, or awareness itself for one without a period."""
    if rule.clock == WITHOUT_UNDUE_DELAY:
        local = starts_at.astimezone(zone)
        return local, local.date()
    return due(starts_at, clock=rule.clock, length=rule.length, zone=zone)


def status_of(*, clock: str, due_at: dt.datetime, submitted_at: dt.datetime | None, now: dt.datetime) -> str:
    """open, met or missed at `now`; a clock without a period is never missed."""
    if submitted_at is not None:
        if clock == WITHOUT_UNDUE_DELAY:
            return statuses.MET
        return statuses.status_when_submitted(due_at=due_at, submitted_at=submitted_at)
    if clock == WITHOUT_UNDUE_DELAY:
        return statuses.OPEN
    return statuses.effective_status(status=statuses.OPEN, due_at=due_at, submitted_at=None, now=now)


def obligations_for(facts: IncidentFacts, *, now: dt.datetime | None = None) -> list[Obligation]:
    """Every notification the incident requires, each with its clock and its status at `now` (by default
    the latest moment the facts name, so the answer depends on the facts alone)."""
    zone = reportable.zone_of(facts.sponsor_timezone)
    submitted = dict(facts.submitted)
    now = now or max([facts.aware_at, *submitted.values()])
    found = []
    for rule in rules_for(facts):
        starts_at = clock_start(rule, facts)
        due_at, due_on = clock_due(rule, starts_at, zone)
        submitted_at = submitted.get(rule.id)
        found.append(
            Obligation(
                key=rule.id,
                recipient=rule.recipient,
                jurisdiction=rule.jurisdiction,
                rule=rule.rule,
                description=rule.description,
                party=rule.party,
                clock=rule.clock,
                length=rule.length,
                starts_at=starts_at.astimezone(zone),
                due_at=due_at,
                due_on=due_on,
                status=status_of(clock=rule.clock, due_at=due_at, submitted_at=submitted_at, now=now),
                day_zero=facts.aware_at.astimezone(zone),
                submitted_at=submitted_at,
                verified=rule.verified,
                citation=dict(rule.citation),
            )
        )
    return found


def warnings_for(facts: IncidentFacts) -> list[str]:
    """What the obligations cannot cover, said plainly."""
    found = []
    if facts.kind == "serious_breach" and "US" in facts.jurisdictions:
        found.append(
            "US: no federal clock for a serious breach of the protocol or GCP; follow the IRB's policy "
            "and the sponsor's procedures"
        )
    if facts.kind == "personal_data_breach" and "US" in facts.jurisdictions:
        if facts.hipaa_role == "not_covered":
            found.append(
                "US: not a HIPAA covered entity or business associate, so no HIPAA clock; check State law"
            )
        elif (
            facts.hipaa_role == "covered_entity"
            and facts.residents_by_state is None
            and facts.affected_individuals > MEDIA_THRESHOLD
        ):
            found.append(
                "US: residents by State not given; media notice (45 CFR 164.406) is listed because more than "
                f"{MEDIA_THRESHOLD} of one State cannot be ruled out"
            )
    if facts.kind == "personal_data_breach" and facts.risk_to_individuals == "unlikely":
        found.append(
            "GDPR art. 33(1), 33(5): unlikely to result in a risk, so no notification; document the breach "
            "and the reasoning in the breach register"
        )
    return found


# Checking plain input ------------------------------------------------------------------------------------


def jurisdiction_problem(code: object) -> str | None:
    if code in JURISDICTIONS:
        return None
    return f"Unknown jurisdiction {code!r}; use {', '.join(JURISDICTIONS)}."


def time_zone_problem(name: object) -> str | None:
    return reportable.time_zone_problem(name)


def affected_problem(count: object) -> str | None:
    if isinstance(count, bool) or not isinstance(count, int):
        return "Give the number of individuals affected as a whole number (0 or more)."
    if count < 0:
        return "The number of individuals affected cannot be negative."
    if count > 2**31 - 1:
        return "The number of individuals affected is too large."
    return None
