"""The enrollment dimension of a study's health: the rule's bands as a table, and the signal reading the
latest stored forecast of a recruiting study (never computing one)."""

import pytest

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.statistics import forecasts, rules
from trialdesk.statistics.health import read_enrollment
from trialdesk.statistics.models import EnrollmentForecast
from trialdesk.statistics.tests.test_forecasts import AS_OF, recruiting_world


@pytest.mark.parametrize(
    "state, probability, reason, colour, why",
    [
        (None, None, "", UNKNOWN, "no forecast yet"),
        ("target_reached", None, "", GREEN, "target reached"),
        ("not_enough_data", None, "one site", UNKNOWN, "not enough data for a forecast: one site"),
        ("forecast", None, "", UNKNOWN, "no planned last participant in date to forecast against"),
        (
            "forecast",
            0.95,
            "",
            GREEN,
            "95% probability of reaching the target by the planned last participant in",
        ),
        (
            "forecast",
            0.8,
            "",
            GREEN,
            "80% probability of reaching the target by the planned last participant in",
        ),
        (
            "forecast",
            0.79,
            "",
            AMBER,
            "79% probability of reaching the target by the planned last participant in",
        ),
        (
            "forecast",
            0.5,
            "",
            AMBER,
            "50% probability of reaching the target by the planned last participant in",
        ),
        (
            "forecast",
            0.49,
            "",
            RED,
            "49% probability of reaching the target by the planned last participant in",
        ),
        (
            "forecast",
            0.0,
            "",
            RED,
            "0% probability of reaching the target by the planned last participant in",
        ),
    ],
)
def test_enrollment_health(state, probability, reason, colour, why):
    assert rules.enrollment_health(state=state, probability=probability, reason=reason) == (colour, why)


def test_the_portfolio_bands_and_the_health_colours_are_one_rule():
    assert forecasts.probability_band is rules.probability_band
    assert set(rules.BAND_COLOURS) == {band for _, band in rules.PROBABILITY_BANDS} | {"none"}


def test_without_a_stored_forecast_the_reading_is_unknown_and_none_is_computed(world, clock):
    study, _ = recruiting_world(world)
    reading = read_enrollment(world.crm, study, clock.today())
    assert (reading.dimension, reading.colour, reading.why) == ("enrollment", UNKNOWN, "no forecast yet")
    assert reading.url == f"/studies/{study.pk}/?tab=forecast"
    assert not EnrollmentForecast.objects.exists()


def test_the_reading_is_the_latest_stored_forecasts_probability(world, clock, django_assert_num_queries):
    study, _ = recruiting_world(world)
    snapshot = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF, sims=1000)
    probability = snapshot.probability_by_planned_end
    with django_assert_num_queries(2):  # the latest forecast and the study's thresholds
        reading = read_enrollment(world.sponsor_viewer, study, clock.today())  # an aggregate: they see it
    assert reading.colour == rules.BAND_COLOURS[rules.probability_band(probability)]
    assert reading.why == (
        f"{probability:.0%} probability of reaching the target by the planned last participant in "
        f"(forecast of {AS_OF.isoformat()})"
    )


def test_a_study_without_enough_data_reads_unknown_with_the_reason(world, clock):
    snapshot = forecasts.refresh_enrollment_forecast(study=world.study_b, as_of=AS_OF)
    reading = read_enrollment(world.coordinator, world.study_b, clock.today())
    assert reading.colour == UNKNOWN
    assert reading.why.startswith("not enough data for a forecast: ") and snapshot.reason in reading.why


def test_a_study_may_move_the_enrollment_bands():
    from trialdesk.core.extensions import AMBER, GREEN, RED
    from trialdesk.statistics import rules

    assert rules.enrollment_health(state="forecast", probability=0.7)[0] == AMBER
    assert rules.enrollment_health(state="forecast", probability=0.7, green_from=0.6)[0] == GREEN
    assert rules.enrollment_health(state="forecast", probability=0.4, amber_from=0.45)[0] == RED
