"""POST /api/v1/studies/{study_id}/forecast: the command's options as JSON, what-ifs, priors, scoping."""

import datetime as dt

import pytest

from tests.factories import make_user
from tests.writes import nothing_written
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.statistics.tests.test_forecasts import AS_OF, recruiting_world


def url(study) -> str:
    return f"/api/v1/studies/{study.pk}/forecast"


def post(client, study, body=None):
    return client.post(url(study), body or {}, content_type="application/json")


BASE = {"as_of": AS_OF.isoformat(), "sims": 500}


def test_forecast_with_defaults_answers_dates_quantiles_and_site_rates(world, client_for):
    study, _ = recruiting_world(world)

    response = post(client_for(world.crm), study, BASE)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "forecast" and body["enrolled"] == 32 and body["target"] == 120
    assert body["prior"]["source"] == "study" and "2 recruiting sites" in body["prior"]["why"]
    assert AS_OF.isoformat() < body["completion_p10"] <= body["completion_p50"] <= body["completion_p90"]
    assert set(body["quantiles"]) == {"0.05", "0.1", "0.5", "0.9", "0.95"}
    assert {s["site"] for s in body["sites"]} == {"101", "102", "103"}
    assert all(s["rate_per_month"] > 0 for s in body["sites"])
    assert body["baseline"] is None and body["hidden_sites"] == 0


def test_adding_sites_brings_the_median_forward_and_reports_the_baseline(world, client_for):
    study, _ = recruiting_world(world)
    body = {**BASE, "add_sites": [{"count": 5, "activation_on": "2026-07-15"}]}

    answer = post(client_for(world.crm), study, body).json()

    assert answer["baseline"]["completion_p50"] > answer["completion_p50"]
    assert sum(1 for s in answer["sites"] if s["added"]) == 5


def test_closing_a_site_and_slowing_rates_push_the_median_back(world, client_for):
    study, _ = recruiting_world(world)

    answer = post(client_for(world.crm), study, {**BASE, "close_site": ["102"], "rate_factor": 0.8}).json()

    assert answer["baseline"]["completion_p50"] < answer["completion_p50"]
    assert next(s for s in answer["sites"] if s["site"] == "102")["closed"] is True


def test_the_same_seed_gives_the_same_dates(world, client_for):
    study, _ = recruiting_world(world)
    client = client_for(world.crm)

    assert post(client, study, BASE).json()["quantiles"] == post(client, study, BASE).json()["quantiles"]


def test_a_monitor_of_site_a1_sees_only_that_sites_row(world, client_for):
    study, _ = recruiting_world(world)

    answer = post(client_for(world.monitor), study, BASE).json()

    assert [s["site"] for s in answer["sites"]] == ["101"] and answer["hidden_sites"] == 2


def test_a_monitor_may_not_close_a_site_they_cannot_see(world, client_for):
    study, _ = recruiting_world(world)

    response = post(client_for(world.monitor), study, {**BASE, "close_site": ["102"]})

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "close_site.0"


@pytest.fixture
def dpo(world):
    user = make_user("dpo_dora")
    assign_role(user=user, role=Role.DPO, study=world.study_a, by=world.admin)
    return user


@pytest.mark.parametrize("person", ["auditor", "sponsor_viewer", "dpo"])
def test_read_only_roles_play_with_a_what_if_that_writes_nothing_and_names_no_participant(
    world, client_for, dpo, person
):
    study, _ = recruiting_world(world)
    user = dpo if person == "dpo" else getattr(world, person)
    body = {**BASE, "add_sites": [{"count": 2, "activation_on": "2026-07-15"}], "close_site": ["102"]}

    with nothing_written():
        response = post(client_for(user), study, body)

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["enrolled"] == 32 and answer["baseline"] is not None
    assert sum(1 for s in answer["sites"] if s["added"]) == 2
    text = response.content.decode()
    assert not any(number in text for number in ("P001", "P032", "S001", "L001"))  # counts only


def test_outside_the_study_the_forecast_is_not_found(world, client_for):
    study, _ = recruiting_world(world)

    assert post(client_for(world.coordinator), study, BASE).status_code == 404
    assert post(client_for(world.outsider), study, BASE).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"level": 1.5}, "level"),
        ({"sims": 10}, "sims"),
        ({"target": "many"}, "target"),
        ({"as_of": "30/06/2026"}, "as_of"),
        ({"planned_end": "2026-01-01"}, "planned_end"),
        ({"add_sites": [{"count": 0, "activation_on": "2026-08-01"}]}, "add_sites.0.count"),
        ({"add_sites": [{"count": 2, "activation_on": "2026-01-01"}]}, "add_sites.0.activation_on"),
        ({"close_site": ["999"]}, "close_site.0"),
        ({"prior": {"alpha": -1, "beta": 2}}, "prior.alpha"),
        ({"prior": {"alpha": 1, "beta": 2}, "rate_per_month": 2}, "rate_per_month"),
        ({"rate_factor": 0}, "rate_factor"),
        ({"activation": "soon"}, "activation"),
        ({"target": 10}, "target"),
        ({"sites": [{"site": "X", "enrolled": 3}]}, "sites.0.planned_activation_on"),
        ({"unknown": 1}, "unknown"),
        ({"as_of": "0001-01-01"}, "as_of"),
        ({"add_sites": [{"count": 1, "activation_on": "9999-12-31"}]}, "add_sites.0.activation_on"),
        ({"sims": 50_000, "add_sites": [{"count": 500, "activation_on": "2026-08-01"}]}, "sims"),
    ],
)
def test_bad_options_are_refused_naming_the_field(world, client_for, body, field):
    study, _ = recruiting_world(world)

    with nothing_written():
        response = post(client_for(world.crm), study, {**BASE, **body})

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]


def test_a_roster_given_like_the_command_sites_file_is_forecast(world, client_for):
    sites = [
        {"site": "A", "enrolled": 12, "activated_on": "2026-01-05"},
        {"site": "B", "enrolled": 30, "activated_on": "2025-11-10"},
        {"site": "C", "enrolled": 0, "planned_activation_on": "2026-08-01"},
    ]

    answer = post(client_for(world.crm), world.study_a, {**BASE, "target": 100, "sites": sites}).json()

    assert answer["enrolled"] == 42 and answer["state"] == "forecast"
    assert [s["site"] for s in answer["sites"]] == ["A", "B", "C"]


# --- the what-if form on the Forecast tab --------------------------------------------------------------


def tab(client, study, **params):
    return client.get(f"/studies/{study.pk}/", {"tab": "forecast", **params})


def test_the_forecast_tab_offers_the_what_if_form_to_every_role_on_the_study(world, client_for):
    study, _ = recruiting_world(world)

    assert 'name="add_count_1"' in tab(client_for(world.crm), study).content.decode()
    assert 'name="add_count_1"' in tab(client_for(world.auditor), study).content.decode()
    assert 'name="add_count_1"' in tab(client_for(world.sponsor_viewer), study).content.decode()


def test_the_what_if_form_adds_sites_and_shows_both_forecasts(world, client_for, clock):
    study, _ = recruiting_world(world)
    opens = (clock.today() + dt.timedelta(days=30)).isoformat()

    response = tab(
        client_for(world.crm), study, whatif="1", add_count_1="4", add_on_1=opens, close_site="102"
    )

    scenario = response.context["scenario"]
    assert scenario["baseline"] is not None and len([s for s in scenario["sites"] if s["added"]]) == 4
    body = response.content.decode()
    assert "as things stand" in body and "added" in body


def test_the_what_if_form_shows_bad_input_on_its_fields(world, client_for):
    study, _ = recruiting_world(world)

    response = tab(client_for(world.crm), study, whatif="1", add_count_1="2", rate_change="-99")

    form = response.context["what_if_form"]
    assert "add_on_1" in form.errors and "rate_change" in form.errors
    assert response.context["scenario"] is None
