"""An obligation's status: open, met, missed or not required; what a recalculation changes; and the
standing shown (late by how many days) worked out on read.

A deadline that has passed is never retired silently: an obligation whose due time passed while it was
still required stays `missed` (with the date it was due), whatever later information says, and one
reported by its due time stays `met`. Only an open obligation whose deadline has not passed becomes
`not_required` when new information makes the report unnecessary.
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from trialdesk.safety.rules.clocks import Obligation

# Statuses ------------------------------------------------------------------------------------------------

OPEN, MET, MISSED, NOT_REQUIRED = "open", "met", "missed", "not_required"
STATUSES = (OPEN, MET, MISSED, NOT_REQUIRED)
SETTLED = frozenset({MET, MISSED})


def effective_status(*, status: str, due_at: dt.datetime, submitted_at: dt.datetime | None, now) -> str:
    """The status as of `now`: a stored open obligation whose due time has passed is missed."""
    if status == OPEN and submitted_at is None and due_at < now:
        return MISSED
    return status


def status_when_submitted(*, due_at: dt.datetime, submitted_at: dt.datetime) -> str:
    """Met when the report was made by its due time, else missed (the late report is still recorded)."""
    return MET if submitted_at <= due_at else MISSED


# Recalculation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recalculation:
    """What to change so that the stored obligations of an event match what its information requires."""

    create: tuple[Obligation, ...] = ()
    reopen: tuple[Obligation, ...] = ()
    retire: tuple[str, ...] = ()
    missed: tuple[str, ...] = ()


def recalculate(
    existing: Mapping[str, str],
    wanted: Sequence[Obligation],
    *,
    due: Mapping[str, dt.datetime] | None = None,
    now: dt.datetime | None = None,
) -> Recalculation:
    """Compare stored obligations (key → status) with those the engine now wants.

    New ones are created; one marked not required that is wanted again is reopened with its new clock. An
    open one no longer wanted is retired (not required) if its due time (`due`) has not passed at `now`,
    else it is kept as missed. Met and missed ones never change: nothing is deleted or rewritten.
    """
    wanted_keys = {o.key for o in wanted if o.status != NOT_REQUIRED and o.still_required}
    due = due or {}
    retire, missed = [], []
    for key, status in existing.items():
        if status != OPEN or key in wanted_keys:
            continue
        if key in due and now is not None and due[key] < now:
            missed.append(key)
        else:
            retire.append(key)
    return Recalculation(
        create=tuple(o for o in wanted if o.key not in existing and o.key in wanted_keys),
        reopen=tuple(o for o in wanted if existing.get(o.key) == NOT_REQUIRED and o.status != NOT_REQUIRED),
        retire=tuple(retire),
        missed=tuple(missed),
    )


# Standing of an obligation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How an obligation stands at a moment: open, late (with days late), met, missed, not required."""

    label: str
    days_late: int | None = None


def obligation_standing(
    *, status: str, due_at: dt.datetime, submitted_at: dt.datetime | None, now: dt.datetime, zone: ZoneInfo
) -> Standing:
    """Late is worked out on read, never stored, so no nightly job is needed and it is never stale."""
    if status == NOT_REQUIRED:
        return Standing("not required")
    moment = submitted_at or now
    if moment <= due_at:
        return Standing("met" if submitted_at else "open")
    days = max(1, (moment.astimezone(zone).date() - due_at.astimezone(zone).date()).days)
    if submitted_at:
        return Standing("submitted late", days)
    return Standing("late" if status == OPEN else "missed", days)
