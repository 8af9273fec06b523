"""Action items: their moves, due dates, when they are overdue and escalated to the CRM, and their age.

| item     | move   | becomes  | who                                                 | needs             |
|----------|--------|----------|-----------------------------------------------------|-------------------|
| open     | resolve| resolved | its owner, the site's staff, the CRA or the CRM     | what was done     |
| resolved | close  | closed   | the site's CRA or the CRM (verified)                |                   |
| resolved | reopen | open     | the site's CRA or the CRM (not good enough)         | a reason          |
| open     | close  | closed   | the site's CRA or the CRM (verified at a visit)     |                   |

An open item is overdue the day after its due date, and escalated to the CRM once it is overdue by
more than the plan's escalation days (0: as soon as it is overdue). Resolved items wait for the CRA,
not the owner, so they are neither overdue nor escalated.
"""

import datetime as dt

from django.utils.translation import gettext

OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"
ACTION_MOVES: dict[tuple[str, str], str] = {
    (OPEN, "resolve"): RESOLVED,
    (RESOLVED, "close"): CLOSED,
    (RESOLVED, "reopen"): OPEN,
    (OPEN, "close"): CLOSED,
}
VERIFYING_MOVES = frozenset({"close", "reopen"})
AGE_BUCKETS = ((30, "0–30 days"), (60, "31–60 days"), (90, "61–90 days"), (None, "over 90 days"))


def allowed_moves(status: str) -> tuple[str, ...]:
    return tuple(move for (current, move) in ACTION_MOVES if current == status)


def move_problem(status: str, move: str) -> str | None:
    if (status, move) in ACTION_MOVES:
        return None
    allowed = allowed_moves(status)
    return (
        gettext("A %(status)s action item may only %(moves)s.")
        % {"status": status, "moves": " or ".join(allowed)}
        if allowed
        else gettext("This action item is closed.")
    )


def due_date_problem(*, due_on: dt.date, visit_on: dt.date | None, raised_on: dt.date | None) -> str | None:
    """A due date before the visit that raised the item is refused; an item raised outside a visit (from
    a signal, or by hand) cannot be due before the day it was raised. An item raised in the report of a
    visit some days back may already be overdue: the visit, not the writing of the report, counts."""
    if visit_on is not None:
        return (
            gettext("The due date cannot be before the visit (%(day)s).") % {"day": f"{visit_on:%Y-%m-%d}"}
            if due_on < visit_on
            else None
        )
    if raised_on is not None and due_on < raised_on:
        return gettext("The due date cannot be before the item was raised (%(day)s).") % {
            "day": f"{raised_on:%Y-%m-%d}"
        }
    return None


def is_overdue(*, status: str, due_on: dt.date | None, today: dt.date) -> bool:
    return status == OPEN and due_on is not None and today > due_on


def is_escalated(*, status: str, due_on: dt.date | None, today: dt.date, escalation_days: int) -> bool:
    return is_overdue(status=status, due_on=due_on, today=today) and (today - due_on).days > escalation_days


def age_bucket(*, raised_on: dt.date, today: dt.date) -> str:
    age = (today - raised_on).days
    return next(label for most, label in AGE_BUCKETS if most is None or age <= most)
