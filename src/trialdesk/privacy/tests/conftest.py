"""Fixtures of the privacy tests: the world's data protection officer on study A."""

import pytest


@pytest.fixture
def dpo(world):
    from tests.factories import make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role

    person = make_user("dpo_dana")
    assign_role(user=person, role=Role.DPO, study=world.study_a, by=world.admin)
    return person
