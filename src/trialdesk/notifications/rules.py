"""What each kind of notification is, who gets it by e-mail how, and which "my work" items raise one.

Pure functions over plain values (dates, kinds), so the table of rules below doubles as documentation:

| kind | raised when | default e-mail |
|--- |--- |--- |
| due_soon | a "my work" item falls due within 24 hours (today or tomorrow) | immediately |
| overdue | a "my work" item is overdue | immediately |
| approval_lapsing | an approval runs out within 30 days | daily digest |
| escalation | someone's item on the CRM's study is overdue | immediately |
| assigned | an item is assigned to the person (an action item) | immediately |
| report_to_review | a report is submitted for the person's review | daily digest |
| signal_opened | a signal is opened at the person's study or site | daily digest |
| note | a note to everyone (the demo's welcome) | off |
"""

import datetime as dt

from django.db import models


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", "Due within 24 hours"
    OVERDUE = "overdue", "Overdue"
    APPROVAL_LAPSING = "approval_lapsing", "Approval lapsing within 30 days"
    ESCALATION = "escalation", "Overdue on your study (escalated to you)"
    ASSIGNED = "assigned", "Assigned to you"
    REPORT_TO_REVIEW = "report_to_review", "Report to review"
    SIGNAL_OPENED = "signal_opened", "Signal opened"
    NOTE = "note", "Note from Trialdesk"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "E-mail immediately"
    DAILY = "daily", "Daily digest"
    OFF = "off", "No e-mail (in Trialdesk only)"


DEFAULT_DELIVERY = {
    Kind.DUE_SOON: Delivery.IMMEDIATELY,
    Kind.OVERDUE: Delivery.IMMEDIATELY,
    Kind.APPROVAL_LAPSING: Delivery.DAILY,
    Kind.ESCALATION: Delivery.IMMEDIATELY,
    Kind.ASSIGNED: Delivery.IMMEDIATELY,
    Kind.REPORT_TO_REVIEW: Delivery.DAILY,
    Kind.SIGNAL_OPENED: Delivery.DAILY,
    Kind.NOTE: Delivery.OFF,
}

LAPSING_WITHIN = dt.timedelta(days=30)
DUE_WITHIN = dt.timedelta(days=1)
# "My work" kinds whose items are approvals that lapse (core.extensions.my_work keys).
APPROVAL_SOURCES = frozenset({"ethics_approvals"})
# Sources that already are an escalation to the CRM: not escalated again.
ALREADY_ESCALATED = frozenset({"monitoring_escalated"})


def delivery_for(kind: str, chosen: dict[str, str]) -> str:
    """The person's choice for `kind`, else the kind's default."""
    return chosen.get(kind) or DEFAULT_DELIVERY.get(kind, Delivery.DAILY)


def kinds_raised(*, source: str, due_on: dt.date, overdue: bool, today: dt.date) -> list[str]:
    """Which notifications a "my work" item raises for its person on `today`.

    >>> day = dt.date(2025, 3, 20)
    >>> kinds_raised(source="reconsent", due_on=day + dt.timedelta(days=1), overdue=False, today=day)
    ['due_soon']
    """
    if overdue:
        return [Kind.OVERDUE]
    if source in APPROVAL_SOURCES:
        return [Kind.APPROVAL_LAPSING] if due_on <= today + LAPSING_WITHIN else []
    return [Kind.DUE_SOON] if due_on <= today + DUE_WITHIN else []


def escalates(*, source: str, overdue: bool) -> bool:
    """Whether an overdue item is escalated to the study's CRM."""
    return overdue and source not in ALREADY_ESCALATED


def item_key(*, source: str, url: str, due_on: dt.date) -> str:
    """What makes a "my work" item the same item from one scan to the next (its title may change)."""
    return f"{source}|{url}|{due_on.isoformat()}"[:400]
