"""Fixtures of the visits tests: the visit world and a stand-in for re-consent (the clock is the root
conftest's)."""

import datetime as dt
import types

import pytest

from trialdesk.visits import services


@pytest.fixture
def vw(world):
    from trialdesk.visits.tests.factories import build_visit_world

    return build_visit_world(world)


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

    monkeypatch.setattr(services.deviations, "reconsent_due", reconsent_due)
    return state
