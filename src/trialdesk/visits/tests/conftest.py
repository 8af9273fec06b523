"""Fixtures of the visits tests: the visit world, a fixed clock, and a stand-in for re-consent."""

import datetime as dt
import sys
import types

import pytest
from django.utils import timezone


@pytest.fixture
def vw(world):
    from trialdesk.visits.tests.factories import build_visit_world

    return build_visit_world(world)


@pytest.fixture
def clock(monkeypatch):
    """Set the time: `clock("2025-03-20T16:00")` (UTC). Sites' todays follow their own time zones."""

    def set_now(moment: str) -> dt.datetime:
        fixed = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        return fixed

    return set_now


@pytest.fixture
def reconsent(monkeypatch):
    """Stand in for subjects.selectors.reconsent_due(participant, *, on): the test says whether the
    participant's re-consent is overdue (`state["overdue"]`: True, False, or None for no re-consent)."""
    state = {"overdue": None, "due_on": dt.date(2025, 3, 10), "calls": []}

    def reconsent_due(participant, *, on):
        state["calls"].append((participant.pk, on))
        if state["overdue"] is None:
            return None
        return types.SimpleNamespace(is_overdue=state["overdue"], due_on=state["due_on"])

    try:
        import trialdesk.subjects.selectors as module
    except ImportError:
        module = types.ModuleType("trialdesk.subjects.selectors")
        monkeypatch.setitem(sys.modules, "trialdesk.subjects.selectors", module)
    monkeypatch.setattr(module, "reconsent_due", reconsent_due, raising=False)
    return state
