"""A blinded study A with a randomization scheme, an unblinded pharmacist and a coordinator at site 101,
a supply manager, IP set up (kit types KT-A and KT-B for arms A and B, 4 kits each at the depot) and
site 101 activated; participants 101-001 and 101-002 randomized, 101-003 not."""

from dataclasses import dataclass

import pytest

from tests.factories import World, make_user
from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.randomization import services as randomization
from trialdesk.randomization.tests.factories import Trial, build_trial
from trialdesk.subjects.models import Participant
from trialdesk.supply.models import Depot
from trialdesk.supply.tests.factories import activate, make_supplies


@dataclass
class Supplies:
    world: World
    trial: Trial
    supply_manager: User
    depot: Depot

    @property
    def randomized(self) -> list[Participant]:
        return self.trial.participants[:2]

    @property
    def not_randomized(self) -> Participant:
        return self.trial.participants[2]


@pytest.fixture
def ip(world) -> Supplies:
    trial = build_trial(world, participants=3)
    admin = world.admin
    world.site_a1 = activate(world.site_a1, by=admin)
    manager = make_user("supply_sue")
    assign_role(user=manager, role=Role.SUPPLY_MANAGER, study=world.study_a, by=admin)
    depot = make_supplies(world.study_a, by=admin, kits_per_type=4)
    for participant in trial.participants[:2]:
        randomization.randomize(participant=participant, factor_levels={"sex": "F"}, by=admin)
    return Supplies(world, trial, manager, depot)
