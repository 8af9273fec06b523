"""Randomization services read as sentences: schemes lock, slots follow the list, refusals name the field."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import PASSWORD
from trialdesk.core.models import AuditEvent
from trialdesk.randomization import services
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.models import (
    Allocation,
    Notification,
    RandomizationScheme,
    RandomizationSlot,
    UnblindingEvent,
)
from trialdesk.randomization.tests.factories import build_trial, ensure_arms, make_participant, make_scheme
from trialdesk.subjects.models import Participant


@pytest.fixture
def trial(world):
    return build_trial(world)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- schemes -----------------------------------------------------------------------------------


def test_create_scheme_snapshots_the_arms_ratio_and_draws_a_seed(world):
    ensure_arms(world.study_a, by=world.admin, ratio_a=2)
    scheme = services.create_scheme(
        study=world.study_a,
        by=world.crm,
        method="permuted_blocks",
        arms=["A", "B"],
        block_sizes=[3, 6],
        per_stratum=10,
    )
    assert scheme.arms == [{"code": "A", "ratio": 2}, {"code": "B", "ratio": 1}]
    assert scheme.status == "draft" and 0 <= scheme.seed
    assert not RandomizationSlot.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"block_sizes": [3]}, "block_sizes"),  # 1:1 needs multiples of 2
        ({"arms": ["A"]}, "arms"),
        ({"arms": ["A", "Z"]}, "arms"),
        ({"per_stratum": None}, "per_stratum"),
        ({"factors": [{"name": "sex", "levels": ["M", "M"]}]}, "factors"),
        ({"factors": [{"name": "sex", "levels": "M,F"}]}, "factors"),
        ({"site_is_factor": True}, "site_is_factor"),
        ({"method": "minimization", "factors": [], "p_preferred": 0.8}, "factors"),
        (
            {"method": "minimization", "p_preferred": 0.3, "factors": [{"name": "s", "levels": ["a"]}]},
            "p_preferred",
        ),
    ],
)
def test_an_unusable_scheme_is_refused_naming_the_field(world, changes, field):
    ensure_arms(world.study_a, by=world.admin)
    values = {"method": "permuted_blocks", "arms": ["A", "B"], "block_sizes": [2, 4], "per_stratum": 5}
    values.update(changes)
    with pytest.raises(ValidationError) as refused:
        services.create_scheme(study=world.study_a, by=world.crm, **values)
    assert field in errors_of(refused)
    assert not RandomizationScheme.objects.exists()


def test_only_the_crm_or_an_administrator_sets_up_randomization(world):
    ensure_arms(world.study_a, by=world.admin)
    for person in (world.monitor, world.auditor, world.sponsor_viewer, world.coordinator):
        with pytest.raises(PermissionDenied):
            services.create_scheme(study=world.study_a, by=person, method="minimization", arms=["A", "B"])


def test_activation_generates_the_list_and_puts_its_hash_on_the_audit_trail(world):
    scheme = make_scheme(world.study_a, by=world.crm)
    slots = RandomizationSlot.objects.filter(scheme=scheme)
    assert set(slots.values_list("stratum", flat=True)) == {"sex=M", "sex=F"}
    for stratum in ("sex=M", "sex=F"):
        arms = list(slots.filter(stratum=stratum).order_by("sequence").values_list("arm__code", flat=True))
        assert len(arms) >= 20 and arms.count("A") == arms.count("B")
    event = AuditEvent.objects.filter(action="randomizationscheme.activated").get()
    assert event.changes["list_sha256"][1] == scheme.list_sha256 and len(scheme.list_sha256) == 64


def test_the_same_seed_gives_the_same_list(world):
    first = make_scheme(world.study_a, by=world.crm)
    listed = list(first.slots.order_by("stratum", "sequence").values_list("stratum", "sequence", "arm__code"))
    sha = first.list_sha256
    first.slots.all().delete()
    RandomizationScheme.objects.filter(pk=first.pk).delete()
    again = make_scheme(world.study_a, by=world.crm)
    assert again.list_sha256 == sha
    assert listed == list(
        again.slots.order_by("stratum", "sequence").values_list("stratum", "sequence", "arm__code")
    )


def test_an_active_scheme_is_locked(world):
    scheme = make_scheme(world.study_a, by=world.crm)
    with pytest.raises(ValidationError) as refused:
        services.update_scheme(scheme=scheme, changes={"block_sizes": [2]}, by=world.crm, reason="smaller")
    assert "status" in errors_of(refused)
    with pytest.raises(ValidationError):
        services.activate_scheme(scheme=scheme, by=world.crm)


def test_a_draft_scheme_changes_with_a_reason(world):
    scheme = make_scheme(world.study_a, by=world.crm, activate=False)
    changed = services.update_scheme(
        scheme=scheme, changes={"per_stratum": 40}, by=world.crm, reason="bigger"
    )
    assert changed.per_stratum == 40 and changed.version == 2
    with pytest.raises(ValidationError) as refused:
        services.update_scheme(scheme=changed, changes={"per_stratum": 50}, by=world.crm, reason=" ")
    assert "reason" in errors_of(refused)


# --- randomizing by the list -------------------------------------------------------------------


def test_randomizing_takes_the_next_slot_of_the_stratum_in_order(trial):
    women = [
        services.randomize(participant=p, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
        for p in trial.participants
    ]
    expected = list(
        RandomizationSlot.objects.filter(scheme=trial.scheme, stratum="sex=F")
        .order_by("sequence")
        .values_list("arm__code", flat=True)[: len(women)]
    )
    assert [a.arm_code for a in women] == expected
    assert [a.slot.sequence for a in women] == [1, 2, 3, 4]
    assert all(a.stratum == "sex=F" for a in women)
    assert set(
        Participant.objects.filter(pk__in=[p.pk for p in trial.participants]).values_list("status", flat=True)
    ) == {"randomized"}


def test_the_audit_event_stores_the_arm(trial):
    allocation = services.randomize(
        participant=trial.participants[0], factor_levels={"sex": "M"}, by=trial.coordinator_a1
    )
    event = AuditEvent.objects.get(action="allocation.created", object_id=str(allocation.pk))
    assert event.changes["arm_code"] == [None, allocation.arm_code]
    assert event.changes["arm"] == [None, allocation.arm_id]
    assert allocation.arm_code not in event.object_repr


def test_randomizing_twice_is_refused(trial):
    participant = trial.participants[0]
    services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
    with pytest.raises(ValidationError) as refused:
        services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
    assert "already randomized" in errors_of(refused)["participant"][0]
    assert Allocation.objects.count() == 1
    assert RandomizationSlot.objects.filter(used_by__isnull=False).count() == 1


@pytest.mark.parametrize(
    "levels, message",
    [
        ({"sex": "X"}, "nknown level 'X' for factor sex"),
        ({"gender": "F"}, "nknown factor 'gender'"),
        ({}, "o level given for sex"),
    ],
)
def test_an_unknown_or_missing_factor_level_is_refused(trial, levels, message):
    with pytest.raises(ValidationError) as refused:
        services.randomize(participant=trial.participants[0], factor_levels=levels, by=trial.coordinator_a1)
    assert message in errors_of(refused)["factor_levels"][0]
    assert not Allocation.objects.exists()
    assert not RandomizationSlot.objects.filter(used_by__isnull=False).exists()


def test_a_participant_not_enrolled_is_not_randomized(trial, world):
    screening = make_participant(world.site_a1, "101-900", by=world.admin, status="screening")
    with pytest.raises(ValidationError) as refused:
        services.randomize(participant=screening, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
    assert "enrolled" in errors_of(refused)["participant"][0]


def test_no_randomization_before_the_scheme_is_active(world):
    make_scheme(world.study_a, by=world.crm, activate=False)
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    with pytest.raises(ValidationError) as refused:
        services.randomize(participant=participant, factor_levels={"sex": "F"}, by=world.crm)
    assert "no active randomization scheme" in errors_of(refused)["participant"][0]


def test_a_used_up_stratum_is_refused(world):
    make_scheme(world.study_a, by=world.crm, block_sizes=[2], per_stratum=1, factors=[])
    first, second, third = (make_participant(world.site_a1, f"101-00{n}", by=world.admin) for n in (1, 2, 3))
    services.randomize(participant=first, factor_levels={}, by=world.crm)
    services.randomize(participant=second, factor_levels={}, by=world.crm)
    with pytest.raises(ValidationError) as refused:
        services.randomize(participant=third, factor_levels={}, by=world.crm)
    assert "used up" in errors_of(refused)["factor_levels"][0]


def test_who_may_randomize(trial, world):
    participant = trial.participants[0]
    for person in (world.monitor, world.auditor, world.sponsor_viewer, world.coordinator, trial.safety):
        with pytest.raises(PermissionDenied):
            services.randomize(participant=participant, factor_levels={"sex": "F"}, by=person)
    assert services.randomize(participant=participant, factor_levels={"sex": "F"}, by=trial.investigator_a1)
    assert services.randomize(participant=trial.participants[1], factor_levels={"sex": "F"}, by=world.crm)


# --- minimization ------------------------------------------------------------------------------


def test_minimization_assigns_the_arm_that_lowers_imbalance(world):
    make_scheme(world.study_a, by=world.crm, method="minimization", p_preferred=1.0)
    people = [make_participant(world.site_a1, f"101-{n:03d}", by=world.admin) for n in range(1, 5)]
    first = services.randomize(participant=people[0], factor_levels={"sex": "F", "age": "<65"}, by=world.crm)
    # Same levels: with p = 1 the second must go to the other arm.
    second = services.randomize(participant=people[1], factor_levels={"sex": "F", "age": "<65"}, by=world.crm)
    assert {first.arm_code, second.arm_code} == {"A", "B"}
    assert second.scores["preferred"] == second.arm_code
    assert second.slot is None and second.stratum == ""


def test_minimization_with_the_site_as_a_factor_counts_each_site(world):
    make_scheme(
        world.study_a,
        by=world.crm,
        method="minimization",
        site_is_factor=True,
        site_weight=5,
        p_preferred=1.0,
        factors=[{"name": "sex", "levels": ["M", "F"]}],
    )
    a1 = [make_participant(world.site_a1, f"101-{n:03d}", by=world.admin) for n in range(1, 3)]
    a2 = make_participant(world.site_a2, "102-001", by=world.admin)
    first = services.randomize(participant=a1[0], factor_levels={"sex": "F"}, by=world.crm)
    other_site = services.randomize(participant=a2, factor_levels={"sex": "M"}, by=world.crm)
    second = services.randomize(participant=a1[1], factor_levels={"sex": "M"}, by=world.crm)
    assert second.arm_code != first.arm_code  # the heavily weighted site balance wins
    # Site 102 had no one yet: either arm leaves sex off by 1 and site 102 off by 1 (weight 5), a tie.
    # Had site 101's allocation counted at site 102, the arm it got would score worse.
    assert other_site.scores == {"scores": {"A": 6.0, "B": 6.0}, "preferred": None}


# --- emergency unblinding ----------------------------------------------------------------------


@pytest.fixture
def randomized(trial):
    allocation = services.randomize(
        participant=trial.participants[0], factor_levels={"sex": "F"}, by=trial.coordinator_a1
    )
    return trial, allocation


def test_unblinding_is_signed_audited_reveals_the_arm_to_the_signer_and_notifies_the_crm(randomized):
    trial, allocation = randomized
    investigator, world = trial.investigator_a1, trial.world
    assert Reader(investigator).arm_of(allocation) is None
    event = services.unblind(
        participant=allocation.participant, reason="anaphylaxis", password=PASSWORD, by=investigator
    )
    assert (event.signer, event.meaning, event.reauthenticated) == (investigator, "unblinding", True)
    assert event.signed_at.utcoffset().total_seconds() == 0
    audit = AuditEvent.objects.get(action="unblindingevent.created")
    assert audit.reason == "anaphylaxis" and audit.actor == investigator
    assert Reader(investigator).arm_of(allocation) == allocation.arm
    assert Reader(trial.coordinator_a1).arm_of(allocation) is None  # only the signer
    note = Notification.objects.get()
    assert note.recipient == world.crm and allocation.participant.number in note.message
    assert allocation.arm_code not in note.message.replace(allocation.participant.number, "")


@pytest.mark.parametrize(
    "reason, password, fields",
    [
        ("anaphylaxis", "", {"password"}),
        ("anaphylaxis", "wrong-password-123", {"password"}),
        ("", PASSWORD, {"reason"}),
        ("  ", "", {"reason", "password"}),
    ],
)
def test_unblinding_without_a_valid_signature_or_reason_is_refused(randomized, reason, password, fields):
    trial, allocation = randomized
    with pytest.raises(ValidationError) as refused:
        services.unblind(
            participant=allocation.participant, reason=reason, password=password, by=trial.investigator_a1
        )
    assert set(errors_of(refused)) == fields
    assert not UnblindingEvent.objects.exists() and not Notification.objects.exists()


def test_who_may_unblind(randomized):
    trial, allocation = randomized
    world = trial.world
    for person in (world.monitor, world.auditor, world.sponsor_viewer, trial.coordinator_a1):
        with pytest.raises(PermissionDenied):
            services.unblind(participant=allocation.participant, reason="x", password=PASSWORD, by=person)
    assert services.unblind(
        participant=allocation.participant, reason="SAE", password=PASSWORD, by=trial.safety
    )


def test_a_participant_not_randomized_cannot_be_unblinded(trial):
    with pytest.raises(ValidationError) as refused:
        services.unblind(
            participant=trial.participants[0], reason="x", password=PASSWORD, by=trial.investigator_a1
        )
    assert "never randomized" in errors_of(refused)["participant"][0]


# --- unblinded access --------------------------------------------------------------------------


def test_nobody_grants_themselves_unblinded_access(world):
    with pytest.raises(ValidationError) as refused:
        services.grant_unblinded_access(study=world.study_a, user=world.crm, reason="curious", by=world.crm)
    assert "user" in errors_of(refused)


def test_unblinded_access_goes_only_to_people_on_the_study(world):
    with pytest.raises(ValidationError) as refused:
        services.grant_unblinded_access(study=world.study_a, user=world.outsider, reason="x", by=world.crm)
    assert "user" in errors_of(refused)
    with pytest.raises(PermissionDenied):
        services.grant_unblinded_access(study=world.study_a, user=world.monitor, reason="x", by=world.auditor)


def test_revoking_unblinded_access_conceals_again(randomized):
    trial, allocation = randomized
    assert Reader(trial.pharmacist).arm_of(allocation) == allocation.arm
    access = trial.pharmacist.unblinded_access.get()
    services.revoke_unblinded_access(access=access, by=trial.world.admin, reason="left the site")
    assert Reader(trial.pharmacist).arm_of(allocation) is None
