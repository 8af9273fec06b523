"""When open obligations fall due (overdue, next 24 hours, this week), and the health colour that gives."""

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import AMBER, GREEN, RED

# Obligation windows --------------------------------------------------------------------------------------


class Window(StrEnum):
    """Where an open obligation's due time stands against now: the obligations board's sections, the
    API's `?window=`, the portfolio's counts and the calendar feed all use these, so that "this week"
    means one thing everywhere.

    The three windows do not overlap, so their counts add up and match the board's sections:
    OVERDUE is due before now; NEXT_24H is due from now until 24 hours from now; THIS_WEEK is due after
    the next 24 hours and less than 7 days (168 hours) from now. They are measured in elapsed time, not
    in calendar days, so a report due at 23:59 in Tokyo and one due at 23:59 in New York are judged alike
    wherever the reader is.
    """

    OVERDUE = "overdue"
    NEXT_24H = "24h"
    THIS_WEEK = "week"


NEXT_24_HOURS = dt.timedelta(hours=24)
NEXT_7_DAYS = dt.timedelta(days=7)


def window_bounds(window: Window, *, now: dt.datetime) -> tuple[dt.datetime | None, dt.datetime]:
    """The due times [start, end) that `window` covers at `now`; start is None for OVERDUE (no limit)."""
    if window == Window.OVERDUE:
        return None, now
    if window == Window.NEXT_24H:
        return now, now + NEXT_24_HOURS
    return now + NEXT_24_HOURS, now + NEXT_7_DAYS


def window_of(due_at: dt.datetime, *, now: dt.datetime) -> Window | None:
    """The window an open obligation due at `due_at` is in at `now`; None when due 7 days or more on."""
    for window in Window:
        start, end = window_bounds(window, now=now)
        if (start is None or start <= due_at) and due_at < end:
            return window
    return None


def board_horizon(now: dt.datetime) -> dt.datetime:
    """Open obligations due before this moment are on the board (the end of the last window)."""
    return window_bounds(Window.THIS_WEEK, now=now)[1]


# Health: the safety dimension -----------------------------------------------------------------------------


def obligations_health(*, overdue: int, due_24h: int) -> tuple[str, str]:
    """(colour, why) of a study's safety reporting: red while an open obligation is overdue, amber while
    one falls due in the next 24 hours (Window.NEXT_24H), green otherwise."""
    if overdue:
        return RED, ngettext(
            "%(count)s reporting obligation overdue", "%(count)s reporting obligations overdue", overdue
        ) % {"count": overdue}
    if due_24h:
        return AMBER, ngettext(
            "%(count)s reporting obligation due in the next 24 hours",
            "%(count)s reporting obligations due in the next 24 hours",
            due_24h,
        ) % {"count": due_24h}
    return GREEN, gettext("no reporting obligation overdue or due in the next 24 hours")
