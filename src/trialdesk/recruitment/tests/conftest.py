"""Named people of recruitment's tests besides the world's: a coordinator and an investigator on site A1."""

import pytest

from tests.factories import make_user
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role


@pytest.fixture
def coordinator_a1(world):
    """Clara, the coordinator of site A1 (the world's coordinator works at B1)."""
    clara = make_user("coordinator_clara")
    assign_role(user=clara, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    return clara
