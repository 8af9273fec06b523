"""The feasibility tests' round: study A's default template, a coordinator at site 101 (A1), and the
CDA of 101 executed (102's not yet)."""

from dataclasses import dataclass

import pytest

from tests.factories import make_user
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.feasibility.tests.factories import make_executed_cda, make_template


@dataclass
class Round:
    template: object
    coordinator_a1: object


@pytest.fixture
def feasibility_round(world):
    coordinator_a1 = make_user("coordinator_a1")
    assign_role(user=coordinator_a1, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    make_executed_cda(world.site_a1, by=world.crm)
    world.site_a1.refresh_from_db()
    return Round(make_template(world.study_a, by=world.crm), coordinator_a1)
