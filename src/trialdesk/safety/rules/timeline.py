"""The clock engine's walk through an event's information, oldest first: which rules each state makes
reportable, from when (day 0), and how each obligation ends up (open, met, missed, not_required).

For each rule: the first state at which it applies starts its clock (day 0 = when the reporting party
received that state's information). While open, a report made before the next piece of information meets it
(or misses it, if made after the due time); a due time passing before the next piece of information misses
it for good; a piece of information that makes the report unnecessary before its due time retires it
(not_required), and a later one that makes it necessary again starts a new clock. A rule that changes with
the law (`in_force_from` / `in_force_until`) is judged by the version in force when its clock started.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from trialdesk.safety.rules.reportable import EventFacts, State, zone_of
from trialdesk.safety.rules.rulebook import Rule, countries_of

OPEN, MET, MISSED, NOT_REQUIRED = "open", "met", "missed", "not_required"
SIGNIFICANT = "significant_information"


def latest_moment(facts: EventFacts) -> dt.datetime:
    """The latest moment the facts name (awareness, information, reports made)."""
    moments = [facts.site_aware_at, facts.sponsor_aware_at, *(i.received_at for i in facts.information)]
    return max(moments + [at for _, at in facts.submitted])


def obligations(facts: EventFacts, rules: Sequence[Rule], *, now: dt.datetime, clock: Callable) -> list:
    """The obligations of `facts` under `rules` (several versions of one rule id: the law over time)."""
    versions: dict[str, list[Rule]] = {}
    for rule in rules:
        versions.setdefault(rule.id, []).append(rule)
    made: dict[str, object] = {}
    states = facts.states()
    for rule_id, found in versions.items():
        if not found[0].start.startswith("after:") and found[0].start != SIGNIFICANT:
            if obligation := _first_reports(facts, found, states, now=now, clock=clock):
                made[rule_id] = obligation
    for rule_id, found in versions.items():
        if found[0].start.startswith("after:"):
            if obligation := _after_report(facts, found, made, states, now=now, clock=clock):
                made[rule_id] = obligation
        elif found[0].start == SIGNIFICANT:
            for obligation in _follow_ups(facts, found, made, states, now=now, clock=clock):
                made[obligation.key] = obligation
    order = {rule_id: index for index, rule_id in enumerate(versions)}
    return sorted(made.values(), key=lambda o: (order[o.key.split("/")[0]], o.from_version))


# One rule ------------------------------------------------------------------------------------------------


def _in_force(found: Sequence[Rule], facts: EventFacts, moment: dt.datetime) -> Rule | None:
    day = moment.astimezone(zone_of(_zone_name(found[0], facts))).date()
    return next((rule for rule in found if rule.in_force_on(day)), None)


def _zone_name(rule: Rule, facts: EventFacts) -> str:
    return facts.site_timezone if rule.party == "site" else facts.sponsor_timezone


def _applies(rule: Rule | None, facts: EventFacts, state: State) -> bool:
    if rule is None:
        return False
    if (
        rule.site_in_country
        and facts.site_country
        and facts.site_country not in countries_of(rule.jurisdiction)
    ):
        return False
    return rule.applies(facts.truths(state), facts.product)


def _length(rule: Rule, facts: EventFacts) -> int:
    return facts.site_to_sponsor_hours if rule.length_setting else rule.length


def _description(rule: Rule, facts: EventFacts) -> str:
    if rule.length_setting and facts.protocol_exemption:
        return (
            f"{rule.description}; the protocol ({facts.protocol_exemption}) sets this kind of event's limit"
        )
    return rule.description


def _settled(due_at: dt.datetime, submitted_at: dt.datetime | None, now: dt.datetime) -> str:
    if submitted_at is not None:
        return MET if submitted_at <= due_at else MISSED
    return MISSED if due_at < now else OPEN


def _first_reports(facts, found, states, *, now, clock):
    """The obligation of a rule whose clock starts from the information that makes the event reportable."""
    key = found[0].id
    submitted_at = facts.submitted_at(key)
    status, rule, start, due_at, reason, required = None, None, None, None, "", True
    for state in states:
        moment = state.at(found[0].party)
        current = _in_force(found, facts, moment) or (rule if status == OPEN else None)
        applies = _applies(current, facts, state)
        if status == OPEN:
            if submitted_at is not None and submitted_at <= moment:
                break
            if due_at < moment:
                if not applies:
                    required = False
                    reason = (
                        f"Due {due_at:%Y-%m-%d %H:%M %Z}, passed before information {state.number} made the "
                        "report unnecessary: kept as missed."
                    )
                break
            if not applies:
                status = NOT_REQUIRED
                reason = "No longer required after information {}: {}.".format(
                    state.number, "; ".join(rule.unmet(facts.truths(state), facts.product))
                )
            continue
        if applies:
            status, rule, start, reason = OPEN, current, state, ""
            due_at, _ = clock(moment, **_clock_of(rule, facts))
    if status is None:
        return None
    if status == OPEN:
        status = _settled(due_at, submitted_at, now)
        if status == MISSED and not reason:
            reason = (
                "Not reported by its due time." if submitted_at is None else "Reported after its due time."
            )
    return dataclasses.replace(
        _obligation(
            rule,
            facts,
            start.at(rule.party),
            start.at(rule.party),
            start.number,
            status,
            submitted_at,
            reason,
            clock,
        ),
        still_required=required,
    )


def _clock_of(rule: Rule, facts: EventFacts) -> dict:
    return {
        "clock": rule.clock,
        "length": _length(rule, facts),
        "zone": zone_of(_zone_name(rule, facts)),
        "holiday_calendar": rule.holiday_calendar,
    }


def _obligation(rule, facts, starts_at, day_zero, number, status, submitted_at, reason, clock, key=None):
    from trialdesk.safety.rules.clocks import Obligation

    settings = _clock_of(rule, facts)
    due_at, due_on = clock(starts_at, **settings)
    return Obligation(
        key=key or rule.id,
        recipient=rule.recipient,
        jurisdiction=rule.jurisdiction,
        rule=rule.rule,
        description=_description(rule, facts),
        party=rule.party,
        clock=rule.clock,
        length=settings["length"],
        starts_at=starts_at.astimezone(due_at.tzinfo),
        due_at=due_at,
        due_on=due_on,
        status=status,
        day_zero=day_zero.astimezone(due_at.tzinfo),
        from_version=number,
        submitted_at=submitted_at,
        reason=reason,
        verified=rule.verified,
        distribution=rule.distribution,
        citation=dict(rule.citation),
    )


def _after_report(facts, found, made, states, *, now, clock):
    """A follow-up clock from the report actually made (e.g. 8 days after informing the Minister)."""
    parent = made.get(found[0].start.removeprefix("after:"))
    if parent is None or parent.submitted_at is None or parent.status == NOT_REQUIRED:
        return None
    rule = _in_force(found, facts, parent.day_zero) or found[0]
    key = rule.id
    submitted_at = facts.submitted_at(key)
    due_at, _ = clock(parent.submitted_at, **_clock_of(rule, facts))
    status, reason = _settled(due_at, submitted_at, now), ""
    later = [s for s in states if s.at(rule.party) > parent.submitted_at]
    stopped = next((s for s in later if not _applies(rule, facts, s)), None)
    if status == OPEN and stopped is not None:
        status = NOT_REQUIRED
        reason = f"No longer required after information {stopped.number}."
    return _obligation(
        rule,
        facts,
        parent.submitted_at,
        parent.day_zero,
        parent.from_version,
        status,
        submitted_at,
        reason,
        clock,
    )


def _follow_ups(facts, found, made, states, *, now, clock):
    """A report of each significant piece of information on a report already made (its own clock)."""
    for state in states[1:]:
        if not state.significant:
            continue
        moment = state.at(found[0].party)
        reported = [
            made[p]
            for p in found[0].follows
            if p in made and made[p].submitted_at is not None and made[p].submitted_at <= moment
        ]
        rule = _in_force(found, facts, moment)
        if not reported or not _applies(rule, facts, state):
            continue
        key = f"{rule.id}/v{state.number}"
        submitted_at = facts.submitted_at(key)
        due_at, _ = clock(moment, **_clock_of(rule, facts))
        status = _settled(due_at, submitted_at, now)
        reason = "Not reported by its due time." if status == MISSED and submitted_at is None else ""
        yield _obligation(rule, facts, moment, moment, state.number, status, submitted_at, reason, clock, key)
