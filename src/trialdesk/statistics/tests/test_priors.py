"""The prior a study in start-up is forecast with: which source is chosen, why, and that it is used."""

import datetime as dt

import pytest

from tests.factories import make_institution, make_participant, make_site, make_study
from trialdesk.statistics import forecasts, rules
from trialdesk.statistics.models import ForecastState
from trialdesk.statistics.tests.test_forecasts import AS_OF, set_site

NO_HISTORY = {source: (0, 0) for source in rules.HISTORY_SOURCES}

# (typed, recruiting sites, recruits, history {source: (sites, recruits)}) -> source chosen
PRIOR_CASES = [
    (True, 5, 40, NO_HISTORY, rules.PRIOR_TYPED),
    (False, 2, 1, NO_HISTORY, rules.PRIOR_STUDY),
    (False, 2, 0, NO_HISTORY, rules.PRIOR_NONE),
    (False, 1, 9, NO_HISTORY, rules.PRIOR_NONE),
    (False, 1, 9, {**NO_HISTORY, rules.PRIOR_INSTITUTIONS: (2, 5)}, rules.PRIOR_INSTITUTIONS),
    (
        False,
        0,
        0,
        {**NO_HISTORY, rules.PRIOR_INSTITUTIONS: (1, 5), rules.PRIOR_AREA: (3, 8)},
        rules.PRIOR_AREA,
    ),
    (
        False,
        0,
        0,
        {**NO_HISTORY, rules.PRIOR_INSTITUTIONS: (4, 0), rules.PRIOR_TRIALDESK: (6, 8)},
        rules.PRIOR_TRIALDESK,
    ),
    (False, 2, 3, {**NO_HISTORY, rules.PRIOR_INSTITUTIONS: (9, 50)}, rules.PRIOR_STUDY),
    (False, 0, 0, {**NO_HISTORY, rules.PRIOR_TRIALDESK: (1, 30)}, rules.PRIOR_NONE),
]


@pytest.mark.parametrize(("typed", "recruiting", "recruits", "history", "expected"), PRIOR_CASES)
def test_prior_source_rule(typed, recruiting, recruits, history, expected):
    assert (
        rules.prior_source(typed=typed, recruiting_sites=recruiting, recruits=recruits, history=history)
        == expected
    )


def earlier_study(world, code, *, area, institutions, counts, activated_on=dt.date(2025, 6, 1)):
    """A study recruiting at `institutions` since `activated_on`, `counts` participants at each."""
    study = make_study(code, by=world.admin, therapeutic_area=area)
    for k, (institution, count) in enumerate(zip(institutions, counts, strict=True)):
        site = make_site(study, str(301 + k), by=world.admin, institution=institution)
        set_site(site, status="enrolling", activated_on=activated_on)
        for n in range(count):
            make_participant(
                site, f"{code}-{k}-{n}", by=world.admin, enrolled_on=activated_on + dt.timedelta(days=5 + n)
            )
    return study


def start_up_study_a(world):
    """Study A with site 101 just activated (one recruit) and 102 still planned: too little of its own."""
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 6, 1))
    make_participant(world.site_a1, "A-1", by=world.admin, enrolled_on=dt.date(2026, 6, 10))
    set_site(world.site_a2, planned_activation_on=dt.date(2026, 8, 1))


def test_a_start_up_study_is_forecast_from_the_same_institutions_earlier_studies(world):
    start_up_study_a(world)
    earlier_study(
        world,
        "OLD-1",
        area="Cardiology",
        institutions=[world.site_a1.institution, world.site_a2.institution],
        counts=[10, 20],
    )
    earlier_study(
        world,
        "OLD-2",
        area="Oncology",
        institutions=[make_institution("Elsewhere", by=world.admin)] * 1,
        counts=[3],
    )

    snapshot = forecasts.refresh_enrollment_forecast(study=world.study_a, as_of=AS_OF, sims=500)

    assert snapshot.state == ForecastState.FORECAST
    assert snapshot.prior_source == rules.PRIOR_INSTITUTIONS
    assert "2 sites at the same institutions in 1 earlier study" in snapshot.prior_note
    assert "30 enrolled" in snapshot.prior_note


def test_without_the_same_institutions_the_same_therapeutic_area_stands_in(world):
    start_up_study_a(world)
    others = [make_institution(f"Other {k}", by=world.admin) for k in range(3)]
    earlier_study(world, "OLD-ONC", area="Oncology", institutions=others[:2], counts=[4, 6])
    earlier_study(world, "OLD-CAR", area="Cardiology", institutions=others[2:], counts=[50])

    snapshot = forecasts.refresh_enrollment_forecast(study=world.study_a, as_of=AS_OF, sims=500)

    assert snapshot.prior_source == rules.PRIOR_AREA and "in Oncology" in snapshot.prior_note
    assert snapshot.state == ForecastState.FORECAST


def test_with_no_history_the_page_says_why_and_asks_for_a_rate(world, client_for):
    start_up_study_a(world)

    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=forecast").content.decode()

    assert "Not enough data." in body and "Type an expected rate per site per month" in body
    assert 'name="rate_per_month"' in body


def test_a_typed_rate_on_the_what_if_form_gives_a_forecast_and_says_so(world, client_for):
    start_up_study_a(world)

    response = client_for(world.crm).get(
        f"/studies/{world.study_a.pk}/", {"tab": "forecast", "whatif": "1", "rate_per_month": "2"}
    )

    scenario = response.context["scenario"]
    assert scenario["state"] == "forecast" and scenario["prior"]["source"] == rules.PRIOR_TYPED
    assert scenario["prior"]["mean_rate_per_month"] == pytest.approx(2.0)
    assert "A typed rate of 2 participants per site per month" in response.content.decode()


def test_a_typed_rate_in_the_api_wins_over_the_study_own_sites(world, client_for):
    start_up_study_a(world)

    answer = (
        client_for(world.crm)
        .post(
            f"/api/v1/studies/{world.study_a.pk}/forecast",
            {"as_of": AS_OF.isoformat(), "sims": 300, "rate_per_month": 1.5},
            content_type="application/json",
        )
        .json()
    )

    assert answer["prior"]["source"] == "typed" and answer["state"] == "forecast"


def test_the_prior_figures_name_no_other_study(world, client_for):
    start_up_study_a(world)
    earlier_study(
        world,
        "SECRET-STUDY",
        area="Oncology",
        institutions=[world.site_a1.institution, world.site_a2.institution],
        counts=[5, 5],
    )

    body = (
        client_for(world.crm)
        .post(
            f"/api/v1/studies/{world.study_a.pk}/forecast",
            {"as_of": AS_OF.isoformat(), "sims": 300},
            content_type="application/json",
        )
        .content.decode()
    )

    assert "same_institutions" in body and "SECRET-STUDY" not in body
