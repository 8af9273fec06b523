"""The world of the scoping tests, made ready to enroll: study A's sites enrolling, consent v1.0 (English)
approved at both, and a coordinator on site A1 (Cora) beside the coordinator of site B1 (Carl)."""

from dataclasses import dataclass

import pytest

from tests.factories import World, make_user
from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.sites.models import StudySite
from trialdesk.subjects.models import ConsentVersion
from trialdesk.subjects.tests.factories import make_study_ready


@dataclass
class Trial:
    world: World
    coordinator: User  # coordinator on site A1
    site_a1: StudySite
    site_a2: StudySite
    v1: ConsentVersion

    def __getattr__(self, name):
        return getattr(self.world, name)


@pytest.fixture
def trial(world) -> Trial:
    cora = make_user("coordinator_cora")
    assign_role(user=cora, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    v1 = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    sites = StudySite.objects.select_related("institution", "study")
    return Trial(
        world=world,
        coordinator=cora,
        site_a1=sites.get(pk=world.site_a1.pk),
        site_a2=sites.get(pk=world.site_a2.pk),
        v1=v1,
    )
