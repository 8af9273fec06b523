"""Randomization pages: the CRM sets up a scheme, site staff randomize, an investigator unblinds."""

import pytest

from tests.factories import PASSWORD
from tests.writes import nothing_written
from trialdesk.randomization import services
from trialdesk.randomization.models import Allocation, Notification, RandomizationScheme, UnblindingEvent
from trialdesk.randomization.tests.factories import build_trial, ensure_arms, make_participant


def scheme_form(**overrides) -> dict:
    values = {
        "method": "permuted_blocks",
        "arms": ["A", "B"],
        "factors": "sex=M,F;age=<65,>=65",
        "weights": "",
        "block_sizes": "4,6",
        "per_stratum": "12",
        "seed": "",
        "measure": "range",
        "p_preferred": "0.8",
        "site_weight": "1",
    }
    values.update(overrides)
    return values


def test_the_crm_sets_up_and_activates_a_scheme_from_the_study_page(world, client_for):
    ensure_arms(world.study_a, by=world.admin)
    crm = client_for(world.crm)
    tab = crm.get(f"/studies/{world.study_a.pk}/?tab=randomization").content.decode()
    assert "Set up randomization" in tab
    response = crm.post(f"/studies/{world.study_a.pk}/randomization/scheme/new/", scheme_form())
    assert response.status_code == 302
    scheme = RandomizationScheme.objects.get()
    assert scheme.factors[1] == {"name": "age", "levels": ["<65", ">=65"], "weight": 1.0}
    response = crm.post(
        f"/studies/{world.study_a.pk}/randomization/scheme/activate/", {"version": scheme.version}
    )
    assert response.status_code == 302
    scheme.refresh_from_db()
    assert scheme.is_active and scheme.slots.filter(stratum="sex=F;age=>=65").count() >= 12


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"block_sizes": "3,5"}, "block_sizes", "not a multiple of 2"),
        ({"block_sizes": "four"}, "block_sizes", "not whole numbers"),
        ({"factors": "sex"}, "factors", "not name=level"),
        ({"method": "minimization", "weights": "1"}, "weights", "1 weights for 2 factors"),
    ],
)
def test_a_bad_scheme_is_shown_again_with_the_field_error(world, client_for, changes, field, message):
    ensure_arms(world.study_a, by=world.admin)
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/randomization/scheme/new/", scheme_form(**changes)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not RandomizationScheme.objects.exists()


def test_a_draft_scheme_is_edited_with_a_reason(world, client_for):
    ensure_arms(world.study_a, by=world.admin)
    crm = client_for(world.crm)
    crm.post(f"/studies/{world.study_a.pk}/randomization/scheme/new/", scheme_form())
    scheme = RandomizationScheme.objects.get()
    url = f"/studies/{world.study_a.pk}/randomization/scheme/edit/"
    refused = crm.post(url, scheme_form(per_stratum="20", version=scheme.version))
    assert "reason" in refused.context["form"].errors
    crm.post(url, scheme_form(per_stratum="20", version=scheme.version, reason="more participants"))
    scheme.refresh_from_db()
    assert scheme.per_stratum == 20 and scheme.seed  # the seed drawn is kept


def test_a_monitor_may_not_set_up_randomization(world, client_for):
    with nothing_written():
        response = client_for(world.monitor).post(
            f"/studies/{world.study_a.pk}/randomization/scheme/new/", scheme_form()
        )
    assert response.status_code == 403 and not RandomizationScheme.objects.exists()


@pytest.fixture
def trial(world):
    return build_trial(world)


def test_site_staff_randomize_from_the_participant_page(trial, client_for):
    participant = trial.participants[0]
    client = client_for(trial.coordinator_a1)
    page = client.get(f"/participants/{participant.pk}/randomization/")
    assert 'name="level_0"' in page.content.decode()
    response = client.post(f"/participants/{participant.pk}/randomization/", {"level_0": "M"}, follow=True)
    assert "is randomized to an arm that stays blinded" in response.content.decode()
    assert Allocation.objects.get().participant == participant


def test_randomizing_twice_from_the_page_is_refused_with_the_reason(trial, client_for):
    participant = trial.participants[0]
    services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
    response = client_for(trial.coordinator_a1).post(
        f"/participants/{participant.pk}/randomization/", {"level_0": "M"}
    )
    assert "already randomized" in response.content.decode()
    assert Allocation.objects.count() == 1


def test_an_unknown_level_from_the_page_is_refused(trial, client_for):
    response = client_for(trial.coordinator_a1).post(
        f"/participants/{trial.participants[0].pk}/randomization/", {"level_0": "X"}
    )
    assert "level_0" in response.context["form"].errors
    assert not Allocation.objects.exists()


def test_a_monitor_sees_the_participant_page_but_may_not_randomize(trial, client_for):
    url = f"/participants/{trial.participants[0].pk}/randomization/"
    monitor = client_for(trial.world.monitor)
    assert monitor.get(url).status_code == 200
    with nothing_written():
        assert monitor.post(url, {"level_0": "M"}).status_code == 403
    assert not Allocation.objects.filter(participant=trial.participants[0]).exists()


def test_unblinding_page_needs_the_password_and_a_reason(trial, client_for):
    participant = trial.participants[0]
    services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
    client = client_for(trial.investigator_a1)
    url = f"/participants/{participant.pk}/unblind/"
    page = client.get(url).content.decode()
    assert 'type="password"' in page and "unblinding" in page
    no_signature = client.post(url, {"reason": "SAE"})
    assert "Re-enter your password" in " ".join(no_signature.context["form"].errors["password"])
    wrong = client.post(url, {"reason": "SAE", "password": "not-my-password"})
    assert "not your password" in " ".join(wrong.context["form"].errors["password"])
    assert not UnblindingEvent.objects.exists()
    done = client.post(url, {"reason": "SAE", "password": PASSWORD}, follow=True)
    arm = Allocation.objects.get().arm
    assert f"arm {arm.code} ({arm.name})" in done.content.decode()
    assert UnblindingEvent.objects.get().signer == trial.investigator_a1


def test_the_crm_is_notified_on_the_study_page_and_marks_it_read(trial, client_for):
    participant = trial.participants[0]
    services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
    services.unblind(participant=participant, reason="SAE", password=PASSWORD, by=trial.investigator_a1)
    crm = client_for(trial.world.crm)
    tab = crm.get(f"/studies/{trial.world.study_a.pk}/?tab=randomization").content.decode()
    assert f"Participant {participant.number} was unblinded" in tab
    crm.post(f"/studies/{trial.world.study_a.pk}/randomization/notifications/read/")
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_coordinator_cannot_open_the_unblinding_page(trial, client_for):
    url = f"/participants/{trial.participants[0].pk}/unblind/"
    assert client_for(trial.coordinator_a1).get(url).status_code == 403


def test_the_crm_grants_and_revokes_unblinded_access(world, client_for):
    crm = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/randomization/access/new/"
    missing = crm.post(url, {"username": world.monitor.username})
    assert "reason" in missing.context["form"].errors
    crm.post(url, {"username": world.monitor.username, "reason": "unblinded monitor"})
    access = world.monitor.unblinded_access.get()
    crm.post(
        f"/studies/{world.study_a.pk}/randomization/access/revoke/", {"access": access.pk, "reason": "done"}
    )
    assert not world.monitor.unblinded_access.exists()


def test_a_participant_of_another_study_is_not_found(trial, client_for, world):
    other = make_participant(world.site_b1, "201-001", by=world.admin)
    assert client_for(trial.coordinator_a1).get(f"/participants/{other.pk}/randomization/").status_code == 404


def test_the_randomization_tab_queries_do_not_grow_with_the_allocations(
    world, client_for, django_assert_max_num_queries
):
    trial = build_trial(world, participants=20)
    for participant in trial.participants[:2]:
        services.randomize(participant=participant, factor_levels={"sex": "F"}, by=trial.coordinator_a1)
    url = f"/studies/{world.study_a.pk}/?tab=randomization"
    crm = client_for(world.crm)
    with django_assert_max_num_queries(30) as few:
        assert crm.get(url).status_code == 200
    for participant in trial.participants[2:]:
        services.randomize(participant=participant, factor_levels={"sex": "M"}, by=trial.coordinator_a1)
        services.unblind(participant=participant, reason="SAE", password=PASSWORD, by=trial.investigator_a1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert crm.get(url).status_code == 200
    history = f"/studies/{world.study_a.pk}/?tab=history"
    monitor = client_for(world.monitor)  # signing in is not the page's work
    with django_assert_max_num_queries(30):
        assert monitor.get(history).status_code == 200
