"""Builders for randomization tests: participants written directly, schemes, and a blinded study A."""

import datetime as dt
from dataclasses import dataclass

from tests.factories import World, make_user
from trialdesk.core.models import User
from trialdesk.core.records import create_record
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.randomization import services
from trialdesk.randomization.models import RandomizationScheme
from trialdesk.sites.models import StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Arm, Study
from trialdesk.subjects.models import Participant


def make_participant(
    study_site: StudySite, number: str, *, by: User, status: str = "enrolled"
) -> Participant:
    """A participant written through the audited write path; enrollment proper is the subjects app's."""
    participant = Participant(
        study=study_site.study,
        study_site=study_site,
        number=number,
        status=status,
        enrolled_on=dt.date(2025, 3, 1),
    )
    return create_record(participant, by=by)


def ensure_arms(study: Study, *, by: User, ratio_a: int = 1) -> None:
    """Arms A (the world's) and B (placebo) on the study, A with the given allocation ratio."""
    arm_a = Arm.objects.filter(study=study, code="A").first()
    if arm_a is None:
        study_services.create_arm(study=study, code="A", name="Drug X 10 mg", by=by)
    elif arm_a.allocation_ratio != ratio_a:
        study_services.update_arm(arm=arm_a, changes={"allocation_ratio": ratio_a}, by=by, reason="ratio")
    if not Arm.objects.filter(study=study, code="B").exists():
        study_services.create_arm(study=study, code="B", name="Placebo", arm_type="placebo_comparator", by=by)


BLOCKS = dict(
    method="permuted_blocks",
    arms=["A", "B"],
    factors=[{"name": "sex", "levels": ["M", "F"]}],
    block_sizes=[2, 4],
    per_stratum=20,
    seed=7,
)
MINIMIZATION = dict(
    method="minimization",
    arms=["A", "B"],
    factors=[{"name": "sex", "levels": ["M", "F"], "weight": 1}, {"name": "age", "levels": ["<65", ">=65"]}],
    measure="range",
    p_preferred=1.0,
    seed=11,
)


def make_scheme(study: Study, *, by: User, activate: bool = True, **overrides) -> RandomizationScheme:
    ensure_arms(study, by=by, ratio_a=overrides.pop("ratio_a", 1))
    settings = dict(MINIMIZATION if overrides.get("method") == "minimization" else BLOCKS)
    settings.update(overrides)
    scheme = services.create_scheme(study=study, by=by, **settings)
    if activate:
        scheme = services.activate_scheme(scheme=scheme, by=by)
    return scheme


@dataclass
class Trial:
    """The world's study A made blinded, with randomizing staff on site A1 and a scheme."""

    world: World
    coordinator_a1: User
    investigator_a1: User
    safety: User
    pharmacist: User  # has unblinded access to study A
    participants: list[Participant]
    scheme: RandomizationScheme


def build_trial(world: World, *, participants: int = 4, **scheme_settings) -> Trial:
    admin = world.admin
    study = study_services.update_study(
        study=world.study_a, changes={"blinded": True}, by=admin, reason="double-blind design"
    )
    world.study_a = study
    coordinator_a1 = make_user("coordinator_cleo")
    assign_role(user=coordinator_a1, role=Role.COORDINATOR, study_site=world.site_a1, by=admin)
    investigator_a1 = make_user("investigator_ines")
    assign_role(user=investigator_a1, role=Role.INVESTIGATOR, study_site=world.site_a1, by=admin)
    safety = make_user("safety_sol")
    assign_role(user=safety, role=Role.SAFETY, study=study, by=admin)
    pharmacist = make_user("pharmacist_pia")
    assign_role(user=pharmacist, role=Role.COORDINATOR, study_site=world.site_a1, by=admin)
    services.grant_unblinded_access(study=study, user=pharmacist, reason="unblinded pharmacist", by=admin)
    people = [make_participant(world.site_a1, f"101-{n:03d}", by=admin) for n in range(1, participants + 1)]
    scheme = make_scheme(study, by=admin, **scheme_settings)
    return Trial(world, coordinator_a1, investigator_a1, safety, pharmacist, people, scheme)
