"""Which notifications a "my work" item raises, and how each kind is e-mailed by default, as tables."""

import datetime as dt

import pytest

from trialdesk.notifications import rules

TODAY = dt.date(2025, 3, 20)
D = dt.timedelta


@pytest.mark.parametrize(
    "source, due_in_days, overdue, expected",
    [
        ("reconsent", 0, False, ["due_soon"]),  # due today
        ("reconsent", 1, False, ["due_soon"]),  # due tomorrow: within 24 hours
        ("reconsent", 2, False, []),
        ("reporting_obligations", -1, True, ["overdue"]),
        ("ethics_approvals", 30, False, ["approval_lapsing"]),
        ("ethics_approvals", 31, False, []),
        ("ethics_approvals", -2, True, ["overdue"]),
    ],
)
def test_kinds_raised_by_a_work_item(source, due_in_days, overdue, expected):
    raised = rules.kinds_raised(source=source, due_on=TODAY + D(due_in_days), overdue=overdue, today=TODAY)
    assert raised == expected


@pytest.mark.parametrize(
    "source, overdue, expected",
    [("training", True, True), ("training", False, False), ("monitoring_escalated", True, False)],
)
def test_overdue_items_escalate_unless_already_an_escalation(source, overdue, expected):
    assert rules.escalates(source=source, overdue=overdue) is expected


def test_the_persons_choice_wins_over_the_default():
    assert rules.delivery_for("overdue", {}) == "immediately"
    assert rules.delivery_for("signal_opened", {}) == "daily"
    assert rules.delivery_for("overdue", {"overdue": "off"}) == "off"


def test_an_item_is_the_same_item_whatever_its_title():
    key = rules.item_key(source="ethics_approvals", url="/studies/1/submissions/new/", due_on=TODAY)
    assert key == "ethics_approvals|/studies/1/submissions/new/|2025-03-20"
