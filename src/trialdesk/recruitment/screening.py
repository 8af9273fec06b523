"""Screening candidates against criteria, explained: the result the command, the pool and the API share.

Joins the two pure halves: the criteria (interop.eligibility: text, rules) and the vectorised
evaluation (analytics.eligibility). No database here: services store what this returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trialdesk.analytics import eligibility as engine
from trialdesk.interop.eligibility.rules import CriteriaError, Criterion, rule_problems


@dataclass(frozen=True)
class CriterionResult:
    text: str
    result: str  # met, not_met, unknown, manual
    because: str

    def as_json(self) -> dict:
        return {"text": self.text, "result": self.result, "because": self.because}


@dataclass(frozen=True)
class Screened:
    """One candidate's status and the result of each criterion, in the criteria's order."""

    candidate: str
    status: str  # eligible, ineligible, unknown
    criteria: list[CriterionResult]

    def as_json(self) -> dict:
        return {
            "candidate": self.candidate,
            "status": self.status,
            "criteria": [c.as_json() for c in self.criteria],
        }


def check_criteria(criteria: list[Criterion]) -> None:
    """Refuse criteria whose rules the engine cannot evaluate (a unit pint does not know), naming each."""
    problems = []
    for section in ("inclusion", "exclusion"):
        for number, criterion in enumerate(c for c in criteria if c.section == section):
            where = f"{section}[{number}].rule"
            found = rule_problems(criterion.rule)
            problems += [f"{where}.{p}" for p in found]
            if not found and criterion.rule and criterion.rule["kind"] == "observation":
                if (problem := engine.unit_problem(criterion.rule.get("unit"))) is not None:
                    problems.append(f"{where}.unit: {problem}")
    if problems:
        raise CriteriaError(problems)


def evaluate(criteria: list[Criterion], candidates, *, as_of: dt.date):
    """(table, outcome, statuses) of `candidates` against `criteria` on `as_of`."""
    table = engine.build_table(candidates)
    outcome = engine.evaluate([c.rule for c in criteria], table, as_of=as_of)
    exclusion = [c.section == "exclusion" for c in criteria]
    return table, outcome, engine.statuses(outcome.results, exclusion=exclusion)


def screen(criteria: list[Criterion], candidates, *, as_of: dt.date) -> list[Screened]:
    """Each candidate's status with every criterion's result and why."""
    table, outcome, found = evaluate(criteria, candidates, as_of=as_of)
    return [
        Screened(
            candidate=table.keys[row],
            status=engine.STATUS_WORDS[int(found[row])],
            criteria=[
                CriterionResult(
                    text=criterion.text,
                    result=engine.RESULT_WORDS[int(outcome.results[row, column])],
                    because=engine.because(criterion.rule, table, outcome, row, column),
                )
                for column, criterion in enumerate(criteria)
            ],
        )
        for row in range(len(table))
    ]
