"""Data-subject requests (GDPR Art 15–17): their kinds and the one-month deadline of Art 12(3).

A month is counted as Regulation (EEC, Euratom) No 1182/71 Art 3(2)(c) counts it, as the EDPB's
Guidelines 01/2022 on the right of access (para 157) say: from the day of receipt to the same date of the
next month, or that month's last day where it has no such date; an extension adds two further months.
"""

import calendar
import datetime as dt

KINDS = {
    "access": "Access (Art 15)",
    "rectification": "Rectification (Art 16)",
    "erasure": "Erasure (Art 17)",
}
SUBJECT_KINDS = {"staff": "A staff member", "candidate": "A pre-screening candidate"}
STATUSES = {"open": "Open", "done": "Answered", "refused": "Refused"}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_on(*, received_on: dt.date, extended: bool = False) -> dt.date:
    """The last day to answer: one month after receipt, three when extended (Art 12(3)).

    >>> due_on(received_on=dt.date(2026, 1, 31))
    datetime.date(2026, 2, 28)
    """
    return add_months(received_on, 3 if extended else 1)


def request_problems(
    *,
    subject_kind: str,
    has_person: bool,
    requester_reference: str,
    status: str,
    received_on: dt.date | None,
    closed_on: dt.date | None,
) -> dict[str, str]:
    problems = {}
    if subject_kind == "staff" and not has_person:
        problems["person"] = "Choose the staff member's account."
    if subject_kind == "candidate" and not (requester_reference or "").strip():
        problems["requester_reference"] = "Give the candidate's number or your case reference (never a name)."
    if subject_kind == "candidate" and has_person:
        problems["person"] = "A candidate has no account here; leave the staff member empty."
    if status == "open" and closed_on:
        problems["closed_on"] = "An open request has no closing date."
    if status != "open" and not closed_on:
        problems["closed_on"] = "Give the day the request was answered or refused."
    if received_on and closed_on and closed_on < received_on:
        problems["closed_on"] = "A request cannot be closed before it was received."
    return problems
