"""The sample-size calculator page and a study's planning assumptions, as the named people use them."""

import pytest
from django.urls import reverse

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.statistics import services
from trialdesk.statistics.models import PlanningAssumption

HTMX_OPTIONS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "design-options"}
CALCULATOR = "/statistics/sample-size/"
# R: power.t.test(delta = 0.75, sd = 2.25, power = 0.8) -> n = 142.2466, so 143 per group.
TWO_MEANS = {"design": "two-means", "delta": "0.75", "sd": "2.25", "power": "0.8", "calculate": "1"}


def text(response) -> str:
    return response.content.decode()


def assumptions_url(study) -> str:
    return reverse("planning_assumption_list", kwargs={"study_id": study.pk})


def save(client, study, **extra):
    return client.post(CALCULATOR, {**TWO_MEANS, "study": study.pk, "label": "Primary endpoint", **extra})


def test_calculator_url_is_named():
    assert reverse("sample_size_calculator") == CALCULATOR


def test_calculator_needs_sign_in(client):
    response = client.get(CALCULATOR)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_calculator_shows_the_default_design_with_its_options(world, client_for):
    body = text(client_for(world.auditor).get(CALCULATOR))
    assert 'name="delta"' in body and 'name="sd"' in body and 'name="test"' in body
    assert 'name="p1"' not in body
    assert 'hx-get="/statistics/sample-size/"' in body and 'hx-target="#design-options"' in body


def test_choosing_a_design_by_htmx_swaps_only_its_options(world, client_for):
    response = client_for(world.crm).get(CALCULATOR, {"design": "mcnemar"}, **HTMX_OPTIONS)
    body = text(response)
    assert body.lstrip().startswith('<div id="design-options">')
    assert 'name="p_discordant"' in body and 'name="odds_ratio"' in body
    assert 'name="delta"' not in body and "<html" not in body
    assert 'name="ratio"' not in body  # one group of pairs: no allocation ratio


def test_choosing_a_design_without_javascript_shows_its_options_unfilled(world, client_for):
    response = client_for(world.crm).get(CALCULATOR, {"design": "survival", "choose": "1", "delta": "1"})
    body = text(response)
    assert 'name="lambda1"' in body and 'name="accrual"' in body
    assert "errorlist" not in body  # only a choice of design: nothing is checked yet


def test_calculation_shows_n_power_and_method(world, client_for):
    body = text(client_for(world.auditor).get(CALCULATOR, TWO_MEANS))
    assert 'id="sample-size-result"' in body
    assert "<dd>143, 143</dd>" in body and "<dd>286</dd>" in body
    assert "142.25" in body
    assert "power.t.test" in body


def test_survival_calculation_shows_events(world, client_for):
    inputs = {
        "design": "survival",
        "lambda1": "0.2",
        "lambda2": "0.1",
        "study_time": "2",
        "accrual_time": "0.5",
        "dropout_rate": "0.1",
        "alpha": "0.025",
        "sided": "1",
        "power": "0.9",
        "calculate": "1",
    }
    body = text(client_for(world.crm).get(CALCULATOR, inputs))
    assert "<dd>430</dd>" in body  # gsDesign::nSurvival: n = 430, nEvents = 91
    assert "<dt>Events</dt><dd>91 " in body


@pytest.mark.parametrize(
    "inputs, field, message",
    [
        ({"design": "two-proportions", "p1": "1.3", "p2": "0.5", "power": "0.8"}, "p1", "between 0 and 1"),
        (
            {"design": "two-means", "delta": "1", "sd": "1", "power": "0.8", "n": "20"},
            "power",
            "either a power",
        ),
        ({"design": "two-means", "sd": "1", "power": "0.8"}, "delta", "delta is required"),
        (
            {
                "design": "survival",
                "lambda1": "-1",
                "lambda2": "0.1",
                "study_time": "2",
                "accrual_time": "1",
                "power": "0.8",
            },
            "lambda1",
            "positive",
        ),
    ],
)
def test_bad_input_is_shown_on_its_field(world, client_for, inputs, field, message):
    body = text(client_for(world.crm).get(CALCULATOR, {**inputs, "calculate": "1"}))
    assert 'id="sample-size-result"' not in body
    assert message in body
    assert f'name="{field}"' in body


def test_save_form_offers_only_studies_the_user_manages(world, client_for):
    body = text(client_for(world.crm).get(CALCULATOR, TWO_MEANS))
    assert 'id="save-assumption-form"' in body
    assert "ONC-A" in body and "CARD-B" not in body


def test_read_only_user_sees_the_result_but_no_save_form(world, client_for):
    body = text(client_for(world.auditor).get(CALCULATOR, TWO_MEANS))
    assert 'id="sample-size-result"' in body and 'id="save-assumption-form"' not in body


def test_crm_saves_the_result_to_their_study_audited(world, client_for):
    response = save(client_for(world.crm), world.study_a, note="From the phase II effect size")
    assert response.status_code == 302
    assert response["Location"] == assumptions_url(world.study_a)
    assumption = PlanningAssumption.objects.get()
    assert (assumption.study, assumption.label, assumption.design) == (
        world.study_a,
        "Primary endpoint",
        "two-means",
    )
    assert assumption.parameters["delta"] == 0.75 and assumption.parameters["power"] == 0.8
    assert assumption.result["n_per_group"] == [143, 143]
    assert "power.t.test" in assumption.result["method"]
    event = AuditEvent.objects.get(action="planningassumption.created")
    assert event.study_id == world.study_a.pk
    assert event.actor == world.crm
    assert event.changes["label"] == [None, "Primary endpoint"]


def test_saving_needs_a_label(world, client_for):
    response = client_for(world.crm).post(CALCULATOR, {**TWO_MEANS, "study": world.study_a.pk, "label": ""})
    assert response.status_code == 200
    assert "This field is required" in text(response)
    assert not PlanningAssumption.objects.exists()


def test_crm_cannot_save_to_a_study_they_do_not_manage(world, client_for):
    response = save(client_for(world.crm), world.study_b)
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not PlanningAssumption.objects.exists()


def test_saving_recomputes_the_result_from_the_inputs(world, client_for):
    # Whatever a page posts, the stored result is the calculation of the stored parameters.
    save(client_for(world.crm), world.study_a, n_per_group="[1, 1]")
    assert PlanningAssumption.objects.get().result["n_per_group"] == [143, 143]


@pytest.mark.parametrize("person", ["auditor", "sponsor_viewer", "monitor", "outsider"])
def test_saving_is_refused_to_those_who_manage_no_study(world, client_for, person):
    assert save(client_for(getattr(world, person)), world.study_a).status_code == 403
    assert not PlanningAssumption.objects.exists()


def test_study_list_shows_saved_assumptions_to_read_only_users(world, client_for):
    services.record_planning_assumption(
        study=world.study_a,
        label="Primary endpoint",
        design="two-means",
        parameters={"delta": 0.75, "sd": 2.25, "power": 0.8},
        by=world.crm,
    )
    response = client_for(world.auditor).get(assumptions_url(world.study_a))
    assert response.status_code == 200
    body = text(response)
    assert "Primary endpoint" in body and "143, 143" in body and "delta = 0.75" in body
    assert "New calculation" not in body


def test_study_list_is_404_outside_the_users_scope(world, client_for):
    assert client_for(world.coordinator).get(assumptions_url(world.study_a)).status_code == 404
    assert client_for(world.crm).get(assumptions_url(world.study_b)).status_code == 404


def test_study_list_save_is_403_for_a_read_only_user(world, client_for):
    with nothing_written():
        response = client_for(world.auditor).post(
            assumptions_url(world.study_a), {**TWO_MEANS, "label": "Primary endpoint"}
        )
    assert response.status_code == 403


def test_crm_saves_from_the_study_list_url(world, client_for):
    response = client_for(world.crm).post(
        assumptions_url(world.study_a), {**TWO_MEANS, "label": "Key secondary"}
    )
    assert response.status_code == 302
    assert PlanningAssumption.objects.get().label == "Key secondary"


def test_planning_assumptions_are_scoped_by_study(world):
    services.record_planning_assumption(
        study=world.study_b,
        label="Primary endpoint",
        design="logrank-events",
        parameters={"hr": 0.7, "power": 0.9},
        by=world.admin,
    )
    assert not PlanningAssumption.objects.visible_to(world.crm).exists()
    assert PlanningAssumption.objects.visible_to(world.coordinator).count() == 1
