"""A monitoring visit's moves (planned → confirmed → conducted, or cancelled) and its dates."""

import datetime as dt

from django.utils.translation import gettext

PLANNED, CONFIRMED, CONDUCTED, CANCELLED = "planned", "confirmed", "conducted", "cancelled"

# (from, move) -> to. A conducted visit is final: its report follows; a cancelled one is final too.
VISIT_MOVES: dict[tuple[str, str], str] = {
    (PLANNED, "confirm"): CONFIRMED,
    (PLANNED, "conduct"): CONDUCTED,
    (CONFIRMED, "conduct"): CONDUCTED,
    (PLANNED, "cancel"): CANCELLED,
    (CONFIRMED, "cancel"): CANCELLED,
}
MOVE_LABELS = {"confirm": "Confirm to the site", "conduct": "Record as conducted", "cancel": "Cancel"}


def allowed_moves(status: str) -> tuple[str, ...]:
    return tuple(move for (current, move) in VISIT_MOVES if current == status)


def move_problem(status: str, move: str) -> str | None:
    if (status, move) in VISIT_MOVES:
        return None
    allowed = allowed_moves(status)
    if not allowed:
        return gettext("A %(status)s visit cannot change any more.") % {"status": status}
    return gettext("A %(status)s visit may only %(moves)s.") % {
        "status": status,
        "moves": " or ".join(allowed),
    }


def visit_date_problems(
    *,
    status: str,
    conducted_on: dt.date | None,
    conducted_end_on: dt.date | None,
    confirmed_on: dt.date | None,
    today: dt.date | None,
) -> dict[str, str]:
    """What is wrong with a visit's dates, by field (`today` is the site's local date)."""
    problems = {}
    if status == CONDUCTED and conducted_on is None:
        problems["conducted_on"] = gettext("Give the date the visit took place.")
    if today is not None and conducted_on is not None and conducted_on > today:
        problems["conducted_on"] = gettext(
            "A visit cannot have taken place after today (%(today)s at the site)."
        ) % {"today": f"{today:%Y-%m-%d}"}
    if conducted_end_on is not None:
        if conducted_on is None:
            problems["conducted_end_on"] = gettext("Give the first day of the visit too.")
        elif conducted_end_on < conducted_on:
            problems["conducted_end_on"] = gettext(
                "The last day cannot be before the first day of the visit."
            )
        elif today is not None and conducted_end_on > today:
            problems["conducted_end_on"] = gettext(
                "The visit cannot end after today (%(today)s at the site)."
            ) % {"today": f"{today:%Y-%m-%d}"}
    if today is not None and confirmed_on is not None and confirmed_on > today:
        problems["confirmed_on"] = gettext("The confirmation letter cannot be sent after today.")
    return problems
