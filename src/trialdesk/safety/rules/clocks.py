"""Expedited safety reporting clocks, and the annual safety report's: pure functions, no database.

`obligations_for(facts)` is the one clock engine: the `trialdesk safety clocks` command, the services that
store obligations and the benchmarks all call it. The rules themselves are data in `jurisdictions/*.json`
(one file per jurisdiction, a citation on every rule) plus the committee policies a study configures.

Day counting: the day the clock starts is day 0 (21 CFR 312.32(c): "no later than 15 calendar days after
the sponsor's initial receipt"); the obligation is due at the end (23:59:59) of the due day in the
reporting party's time zone, the site's for site obligations and the sponsor's for sponsor obligations.
An hours clock is due exactly that many hours after its start, shown in the party's time zone.
"""

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from trialdesk.safety.rules.calendars import add_working_days
from trialdesk.safety.rules.reportable import EventFacts, zone_of
from trialdesk.safety.rules.rulebook import ALWAYS, IRB_PREFIX, CommitteePolicy, Rule, rulebook

END_OF_DAY = dt.time(23, 59, 59)


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
