"""Fixtures of the visits tests: the visit world (the clock is the root conftest's; re-consent is real:
test_services.amend_consent)."""

import pytest


@pytest.fixture
def vw(world):
    from trialdesk.visits.tests.factories import build_visit_world

    return build_visit_world(world)
