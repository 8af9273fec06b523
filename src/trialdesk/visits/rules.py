"""Pure rules for visits: windows, a visit's standing, visit dates, and deviation rates by site."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext, ngettext

# What a visit can be anchored on: the day of consent, enrollment, randomization or the first dose.
ANCHORS = ("consent", "enrollment", "randomization", "first_dose")
# The ways a visit can take place.
MODALITIES = ("on_site", "telemedicine", "home_visit", "remote_data")
# A participant in one of these statuses has left the study on their status_changed_on date.
ENDED_STATUSES = frozenset({"completed", "withdrawn", "lost_to_follow_up", "died"})
# The mean length of a month (365.25 / 12 days): participant-months are counted in these.
DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class VisitWindow:
    """When a scheduled visit is due (target) and the days on which it counts as in window."""

    target_on: date
    start_on: date
    end_on: date


def visit_window(*, anchor_on: date, day_offset: int, days_before: int, days_after: int) -> VisitWindow:
    """The target date is the anchor date plus the day offset; the window runs −before to +after days.

    Day 0 is the anchor day itself (a baseline visit with offset 0 is due on the day of randomization).
    """
    target = anchor_on + timedelta(days=day_offset)
    return VisitWindow(
        target_on=target,
        start_on=target - timedelta(days=days_before),
        end_on=target + timedelta(days=days_after),
    )


def is_in_window(done_on: date, *, start_on: date | None, end_on: date | None) -> bool:
    """Whether a visit done on `done_on` falls inside its window (both ends included)."""
    if start_on is None or end_on is None:
        return True  # an unscheduled visit has no window to miss
    return start_on <= done_on <= end_on


def window_departure(*, label: str, done_on: date, start_on: date | None, end_on: date | None) -> str | None:
    """How a visit done on `done_on` departs from the window the protocol gives it, in words for the
    deviation it raises; None when it is in window (or has no window: an unscheduled visit)."""
    if is_in_window(done_on, start_on=start_on, end_on=end_on):
        return None
    window = f"its window {start_on:%Y-%m-%d} to {end_on:%Y-%m-%d}"
    if done_on < start_on:
        days = (start_on - done_on).days
        return gettext("%(label)s took place on %(done_on)s, %(days)s before %(window)s opened.") % {
            "label": label,
            "done_on": format(done_on, "%Y-%m-%d"),
            "days": _days(days),
            "window": window,
        }
    days = (done_on - end_on).days
    return gettext("%(label)s took place on %(done_on)s, %(days)s after %(window)s closed.") % {
        "label": label,
        "done_on": format(done_on, "%Y-%m-%d"),
        "days": _days(days),
        "window": window,
    }


def _days(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


# A visit's standing, as the participant's visit list shows it.
DONE = "done"
DONE_OUT_OF_WINDOW = "done_out_of_window"
MISSED = "missed"
DUE = "due"
UPCOMING = "upcoming"
NOT_EXPECTED = "not_expected"
STANDING_LABELS = {
    DONE: "Done",
    DONE_OUT_OF_WINDOW: "Done, out of window",
    MISSED: "Missed",
    DUE: "Due now",
    UPCOMING: "Upcoming",
    NOT_EXPECTED: "Not expected (left the study)",
}


def visit_standing(
    *,
    done_on: date | None,
    start_on: date | None,
    end_on: date | None,
    today: date,
    left_on: date | None = None,
) -> str:
    """Done (in or out of window), missed (its window ended before today), due now (today is in its
    window) or upcoming. `today` is the site's today, so a visit is missed only once the window's last
    day has ended where the participant is seen.

    For a participant who left the study on `left_on`, a visit not done whose window had not closed
    by then is not expected any more (it is not missed).
    """
    if done_on is not None:
        return DONE if is_in_window(done_on, start_on=start_on, end_on=end_on) else DONE_OUT_OF_WINDOW
    if left_on is not None and (end_on is None or left_on <= end_on):
        return NOT_EXPECTED
    if end_on is not None and end_on < today:
        return MISSED
    if start_on is not None and start_on <= today:
        return DUE
    return UPCOMING


def visit_date_problem(
    done_on: date, *, today: date, enrolled_on: date | None, first_consent_on: date | None
) -> str | None:
    """Why a visit cannot have taken place on `done_on`, or None when it can.

    A visit is recorded once it happened (not in the future, by the site's calendar), and never
    before the participant consented or was enrolled.
    """
    if done_on > today:
        return gettext("A visit date cannot be in the future (today at the site is %(today)s).") % {
            "today": format(today, "%Y-%m-%d")
        }
    if first_consent_on is not None and done_on < first_consent_on:
        return gettext("The visit date is before the participant's first consent (%(first_consent_on)s).") % {
            "first_consent_on": format(first_consent_on, "%Y-%m-%d")
        }
    if enrolled_on is not None and done_on < enrolled_on:
        return gettext("The visit date is before the participant's enrollment (%(enrolled_on)s).") % {
            "enrolled_on": format(enrolled_on, "%Y-%m-%d")
        }
    return None


def modalities_problem(modalities: Iterable[str]) -> str | None:
    """Why a visit definition's allowed modalities are not valid, or None."""
    chosen = list(modalities)
    if not chosen:
        return gettext("Allow at least one modality.")
    unknown = sorted(set(chosen) - set(MODALITIES))
    if unknown:
        return gettext("Unknown modality: %(unknown)s. Choose among: %(modalities)s.") % {
            "unknown": ", ".join(unknown),
            "modalities": ", ".join(MODALITIES),
        }
    return None


def modality_problem(modality: str, *, allowed: Iterable[str]) -> str | None:
    """Why a visit may not be recorded with `modality`, naming the ones its definition allows."""
    allowed = tuple(allowed)
    if modality in allowed:
        return None
    names = ", ".join(m.replace("_", " ") for m in allowed)
    return gettext("This visit may be done only: %(names)s.") % {"names": names}


def deviation_dates_problem(*, occurred_on: date, identified_on: date, today: date) -> dict[str, str]:
    """Problems with a deviation's dates, by field: identified after it occurred, neither in the future."""
    problems = {}
    if occurred_on > today:
        problems["occurred_on"] = "A deviation cannot have occurred in the future."
    if identified_on > today:
        problems["identified_on"] = "A deviation cannot be identified in the future."
    elif identified_on < occurred_on:
        problems["identified_on"] = "A deviation is identified on or after the day it occurred."
    return problems


def participant_days(
    *, enrolled_on: date | None, status: str, status_changed_on: date | None, today: date
) -> int:
    """Days a participant has been on study: from enrollment to today, or to the day they left.

    A participant who is not enrolled (no date) or who left on the day they enrolled counts 0 days.
    """
    if enrolled_on is None:
        return 0
    end = status_changed_on if status in ENDED_STATUSES and status_changed_on is not None else today
    return max(0, (end - enrolled_on).days)


@dataclass(frozen=True)
class DeviationRate:
    """A site's deviations per participant-month; the important ones counted separately."""

    deviations: int
    important: int
    participant_months: float

    @property
    def rate(self) -> float | None:
        """Deviations per participant-month; None while no participant-time has accrued."""
        return self.deviations / self.participant_months if self.participant_months > 0 else None

    @property
    def important_rate(self) -> float | None:
        return self.important / self.participant_months if self.participant_months > 0 else None


def deviation_rate(*, deviations: int, important: int, participant_days: int) -> DeviationRate:
    """Deviation counts over the participant-time they arose in (months of 365.25 / 12 days)."""
    return DeviationRate(
        deviations=deviations, important=important, participant_months=participant_days / DAYS_PER_MONTH
    )
