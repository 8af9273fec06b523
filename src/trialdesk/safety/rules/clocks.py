"""Expedited safety reporting clocks, and the annual safety report's: pure functions, no database.

`obligations_for(facts, policies, now=...)` is the one clock engine: the `trialdesk safety clocks` command,
the services that store obligations and the benchmarks all call it. The rules themselves are data in
`jurisdictions/*.json` (one file per jurisdiction, a citation on every rule) plus the committee policies a
study configures.

Information over time: an event is a sequence of states (the initial report, then each piece of follow-up
information, `reportable.EventFacts.states`). A rule's day 0 is when the reporting party received the
information that first made the event reportable under it (21 CFR 312.32(c)(1): "after the sponsor
determines that the information qualifies"; Regulation (EU) No 536/2014 art. 42(2)(c): a SUSAR that turns
fatal or life-threatening is reported 7 days from that information), judged by the rule in force on that
day. Follow-up clocks run from the report actually made (`after:KEY`: SI 2004/1031 reg. 33(2), Food and Drug
Regulations C.05.014(2)), so they exist only once that report is recorded; a significant piece of
follow-up information to a report already made starts its own clock (`significant_information`:
21 CFR 312.32(d)(2)).

Day counting: the day the clock starts is day 0 (21 CFR 312.32(c): "no later than 15 calendar days after
the sponsor's initial receipt"); the obligation is due at the end (23:59:59) of the due day in the
reporting party's time zone, the site's for site obligations and the sponsor's for sponsor obligations.
An hours clock is due exactly that many hours after its start, shown in the party's time zone.
"""

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from trialdesk.safety.rules import timeline
from trialdesk.safety.rules.calendars import add_working_days
from trialdesk.safety.rules.reportable import EARLIEST_ZONE, EventFacts
from trialdesk.safety.rules.rulebook import (
    ALWAYS,
    IRB_PREFIX,
    CommitteePolicy,
    Rule,
    no_rules_warning,
    rulebook,
)

END_OF_DAY = dt.time(23, 59, 59)


# Clocks --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """One report an event requires: to whom, under which rule, by when, and how it stands."""

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
    status: str = "open"
    day_zero: dt.datetime | None = None
    from_version: int = 1
    submitted_at: dt.datetime | None = None
    reason: str = ""
    verified: bool = True
    distribution: str = ""
    # False for a missed obligation that later information made unnecessary (kept as missed, not retired).
    still_required: bool = True
    citation: dict = field(default_factory=dict, compare=False, hash=False)

    def as_json(self) -> dict:
        """The `trialdesk safety clocks --json` shape: issue 4's fields, then issue 13's."""
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
            "status": self.status,
            "day_zero": (self.day_zero or self.starts_at).isoformat(),
            "from_information": self.from_version,
            "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
            "status_reason": self.reason,
            "verified": self.verified,
            "citation": dict(self.citation),
        }


# Every whole-hour UTC offset in use: where the party's zone is unknown, a day clock is due at the earliest
# of their ends of day (never later than wherever the party is).
_UTC = ZoneInfo("UTC")
_ALL_OFFSETS = tuple(ZoneInfo(f"Etc/GMT{-h:+d}" if h else "Etc/GMT") for h in range(-12, 15))


def due(
    starts_at: dt.datetime, *, clock: str, length: int, zone: ZoneInfo, holiday_calendar: str | None = None
) -> tuple[dt.datetime, dt.date]:
    """When a clock of `length` units started at `starts_at` runs out, and the local due day, in `zone`
    (`reportable.EARLIEST_ZONE`: the party's zone is unknown, so the earliest end of day anywhere, shown in
    UTC)."""
    if clock != "hours" and getattr(zone, "key", "") == EARLIEST_ZONE:
        found = [
            _due_in(starts_at, clock=clock, length=length, zone=z, holiday_calendar=holiday_calendar)
            for z in _ALL_OFFSETS
        ]
        due_at = min(at for at, _ in found).astimezone(_UTC)
        return due_at, due_at.date()
    return _due_in(starts_at, clock=clock, length=length, zone=zone, holiday_calendar=holiday_calendar)


def _due_in(
    starts_at: dt.datetime, *, clock: str, length: int, zone: ZoneInfo, holiday_calendar: str | None
) -> tuple[dt.datetime, dt.date]:
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
    return book[ALWAYS] + tuple(rule for code in jurisdictions for rule in book.get(code, ()))


def obligations_for(
    facts: EventFacts,
    policies: Mapping[str, CommitteePolicy] | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[Obligation]:
    """Every reporting obligation the event's information creates, in rule order, each with its status
    at `now` (open, met, missed, not_required). Without `now`, the latest moment the facts name is used,
    so the answer depends on the facts alone."""
    now = now or timeline.latest_moment(facts)
    return timeline.obligations(facts, rules_for(facts, policies), now=now, clock=due)


def not_required_reason(
    key: str, facts: EventFacts, policies: Mapping[str, CommitteePolicy] | None = None
) -> str:
    """Why the rule `key` no longer asks for a report on an event with these facts (its latest state)."""
    base = key.split("/")[0]
    for rule in rules_for(facts, policies):
        if rule.id == base:
            why = rule.unmet(facts.truths(), facts.product)
            return "No longer required: " + ("; ".join(why) if why else "the rule no longer applies") + "."
    return "No longer required: the study no longer reports in this jurisdiction."


def warnings_for(facts: EventFacts) -> list[str]:
    """What the obligations cannot cover: the event's countries without shipped rules."""
    return [no_rules_warning(country) for country in facts.uncovered_countries]


# Annual safety report ------------------------------------------------------------------------------------


def dsur_due_on(*, development_birth_date: dt.date, today: dt.date) -> tuple[dt.date, dt.date]:
    """(data lock point, due date) of the DSUR due next on or after `today`.

    ICH E2F 2.3: the reporting period is one year starting on the development international birth date
    (DIBD) and its anniversaries; the data lock point is the last day of that year, the day before the
    anniversary. ICH E2F 2.4 (21 CFR 312.33; Regulation (EU) No 536/2014 art. 43): due within 60 calendar days
    of the data lock point. A DIBD of 29 February starts later years on 1 March (28 February is then the
    data lock point every year).
    """
    for year in range(max(today.year - 1, development_birth_date.year + 1), today.year + 2):
        lock = _anniversary(development_birth_date, year) - dt.timedelta(days=1)
        if lock + dt.timedelta(days=60) >= today:
            return lock, lock + dt.timedelta(days=60)
    raise AssertionError("unreachable: a later anniversary always exists")


def _anniversary(birth: dt.date, year: int) -> dt.date:
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year: the year starts on 1 March
        return dt.date(year, 3, 1)
