"""An obligation's status: what a recalculation after a follow-up changes, and whether it is late."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from trialdesk.safety.rules.clocks import Obligation

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
