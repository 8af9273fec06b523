"""The stored enrollment forecast: built from a study's sites and participants, shown on its Forecast tab."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.factories import make_participant, make_site
from tests.writes import nothing_written
from trialdesk.sites.models import StudySite
from trialdesk.statistics import charts, forecasts
from trialdesk.statistics.models import EnrollmentForecast, ForecastState
from trialdesk.studies import selectors as study_selectors
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Study

AS_OF = dt.date(2026, 6, 30)


def set_site(site: StudySite, **values) -> None:
    # Site dates and statuses are set directly: the lifecycle is not what these tests are about.
    StudySite.objects.filter(pk=site.pk).update(**values)


def recruiting_world(world, *, per_site=(12, 20)):
    """Study A with two sites active since early 2026 and their participants, and one site to come."""
    study = world.study_a
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 5))
    set_site(world.site_a2, status="enrolling", activated_on=dt.date(2025, 12, 1))
    later = make_site(study, "103", by=world.admin, planned_activation_on=dt.date(2026, 8, 1))
    number = 0
    for site, count in zip((world.site_a1, world.site_a2), per_site, strict=True):
        for k in range(count):
            number += 1
            make_participant(
                site,
                f"P{number:03d}",
                by=world.admin,
                enrolled_on=dt.date(2026, 2, 1) + dt.timedelta(days=6 * k),
            )
    # Not counted: still screening, and enrolled after the as-of date.
    make_participant(world.site_a1, "S001", by=world.admin, status="screening", enrolled_on=None)
    make_participant(world.site_a1, "L001", by=world.admin, enrolled_on=AS_OF + dt.timedelta(days=3))
    study_services.create_milestone(
        study=study, kind="last_participant_in", baseline_on=dt.date(2027, 6, 30), by=world.admin
    )
    return study, later


# --- the service -----------------------------------------------------------------------------------


def test_site_table_counts_enrolled_participants_up_to_the_as_of_date(world):
    study, later = recruiting_world(world)

    inputs = forecasts.forecast_inputs(study, as_of=AS_OF)

    by_site = {s.site: s for s in inputs.sites}
    assert by_site["101"].enrolled == 12 and by_site["102"].enrolled == 20
    assert by_site["103"].activated_on is None and by_site["103"].planned_activation_on == dt.date(2026, 8, 1)
    assert inputs.enrolled == 32
    assert inputs.target == 120 and inputs.planned_end == dt.date(2027, 6, 30)


def test_refresh_stores_a_forecast_snapshot(world):
    study, _ = recruiting_world(world)

    snapshot = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF, by=world.crm, sims=1000)

    snapshot.refresh_from_db()
    assert snapshot.state == ForecastState.FORECAST and snapshot.computed_by == world.crm
    assert snapshot.enrolled == 32 and snapshot.target == 120
    assert AS_OF < snapshot.completion_p10 <= snapshot.completion_p50 <= snapshot.completion_p90
    assert 0 <= snapshot.probability_by_planned_end <= 1
    assert snapshot.alpha > 0 and snapshot.beta > 0
    assert snapshot.curve[0] == {"on": "2026-06-30", "mean": 32.0, "lower": 32, "upper": 32}
    assert all(p["lower"] <= p["mean"] <= p["upper"] for p in snapshot.curve)
    assert snapshot.actual[-1] == {"on": "2026-06-30", "enrolled": 32}
    assert [p["enrolled"] for p in snapshot.actual] == sorted(p["enrolled"] for p in snapshot.actual)
    assert [row["site"] for row in snapshot.sites] == ["101", "102", "103"]
    assert all(row["rate_per_day"] > 0 for row in snapshot.sites)


def test_the_same_data_and_seed_give_the_same_dates(world):
    study, _ = recruiting_world(world)

    first = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF, sims=500)
    second = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF, sims=500)

    assert first.completion_p50 == second.completion_p50 and first.inputs_digest == second.inputs_digest


def test_a_closed_site_stops_recruiting_and_a_past_planned_end_gives_probability_zero(world):
    study, later = recruiting_world(world)
    set_site(world.site_a2, status="closed")
    set_site(later, status="terminated")

    inputs = forecasts.forecast_inputs(study, as_of=AS_OF)

    assert [s.site for s in inputs.sites] == ["101", "102"]  # the terminated site never opened
    assert inputs.sites[1].closed_on == AS_OF
    snapshot = forecasts.refresh_enrollment_forecast(study=study, as_of=dt.date(2027, 7, 1), sims=500)
    assert snapshot.state == ForecastState.FORECAST and snapshot.probability_by_planned_end == 0.0


def test_one_active_site_is_not_enough_data(world):
    study = world.study_a
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 5))
    make_participant(world.site_a1, "P001", by=world.admin, enrolled_on=dt.date(2026, 2, 1))

    snapshot = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF)

    assert snapshot.state == ForecastState.NOT_ENOUGH_DATA
    assert "at least two active sites" in snapshot.reason
    assert snapshot.completion_p50 is None and snapshot.probability_by_planned_end is None
    assert snapshot.actual[-1]["enrolled"] == 1


def test_no_recruit_yet_is_not_enough_data(world):
    set_site(world.site_a1, status="enrolling", activated_on=dt.date(2026, 1, 5))
    set_site(world.site_a2, status="enrolling", activated_on=dt.date(2026, 2, 5))

    snapshot = forecasts.refresh_enrollment_forecast(study=world.study_a, as_of=AS_OF)

    assert snapshot.state == ForecastState.NOT_ENOUGH_DATA and "0 enrolled" in snapshot.reason
    assert "Type an expected rate per site per month" in snapshot.reason


def test_a_study_without_sites_is_not_enough_data(world):
    snapshot = forecasts.refresh_enrollment_forecast(study=world.study_b, as_of=AS_OF)

    assert snapshot.state == ForecastState.NOT_ENOUGH_DATA and snapshot.curve == []


def test_reaching_the_target_is_its_own_state(world):
    study, _ = recruiting_world(world)
    Study.objects.filter(pk=study.pk).update(planned_enrollment=30)
    study.refresh_from_db()

    snapshot = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF)

    assert snapshot.state == ForecastState.TARGET_REACHED and snapshot.probability_by_planned_end == 1.0


def test_only_the_crm_or_an_administrator_recomputes(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        forecasts.refresh_enrollment_forecast(study=world.study_a, by=world.auditor)
    assert not EnrollmentForecast.objects.exists()


def test_current_forecast_is_the_stored_one_until_the_data_change_and_is_never_stored(world):
    study, _ = recruiting_world(world)
    unstored = forecasts.current_enrollment_forecast(study=study, as_of=AS_OF)
    assert unstored.pk is None and unstored.enrolled == 32 and not EnrollmentForecast.objects.exists()

    stored = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF)
    assert forecasts.current_enrollment_forecast(study=study, as_of=AS_OF).pk == stored.pk
    make_participant(world.site_a1, "P900", by=world.admin, enrolled_on=AS_OF)
    changed = forecasts.current_enrollment_forecast(study=study, as_of=AS_OF)
    assert changed.pk is None and changed.enrolled == 33
    assert list(EnrollmentForecast.objects.values_list("pk", flat=True)) == [stored.pk]


def test_latest_forecasts_takes_one_query(world, django_assert_num_queries):
    study, _ = recruiting_world(world)
    forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF, sims=200)
    newest = forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF + dt.timedelta(days=1), sims=200)
    other = forecasts.refresh_enrollment_forecast(study=world.study_b, as_of=AS_OF)

    with django_assert_num_queries(1):
        latest = forecasts.latest_forecasts([study.pk, world.study_b.pk, 999_999])

    assert {k: v.pk for k, v in latest.items()} == {study.pk: newest.pk, world.study_b.pk: other.pk}


@pytest.mark.parametrize(
    ("probability", "band"),
    [(None, "none"), (0.0, "poor"), (0.49, "poor"), (0.5, "watch"), (0.8, "good"), (1, "good")],
)
def test_probability_bands(probability, band):
    assert forecasts.probability_band(probability) == band


# --- the SVG -----------------------------------------------------------------------------------------


def test_fan_chart_maps_the_series_onto_the_plot():
    actual = [{"on": "2026-01-01", "enrolled": 0}, {"on": "2026-01-08", "enrolled": 10}]
    curve = [
        {"on": "2026-01-08", "mean": 10, "lower": 10, "upper": 10},
        {"on": "2026-01-15", "mean": 20, "lower": 15, "upper": 25},
    ]

    chart = charts.fan_chart(actual, curve, 40, width=248, height=240)

    # x: 14 days over 248 - 48 - 16 = 184 px from 48; y: 0..40 (nice ceiling of 42 is 50) over 200 px.
    assert (chart.plot_left, chart.plot_right, chart.plot_top, chart.plot_bottom) == (48, 232, 12, 212)
    assert chart.actual == "M48.0,212.0 L140.0,172.0"
    assert chart.mean == "M140.0,172.0 L232.0,132.0"
    assert chart.band == "M140.0,172.0 L232.0,112.0 L232.0,152.0 L140.0,172.0 Z"
    assert chart.target_y == 52.0
    assert [(t.label, t.position) for t in chart.y_ticks] == [
        ("0", 212.0),
        ("10", 172.0),
        ("20", 132.0),
        ("30", 92.0),
        ("40", 52.0),
        ("50", 12.0),
    ]
    assert chart.x_ticks == (charts.Tick(48.0, "2026-01"),)


def test_fan_chart_marks_the_planned_end_and_labels_months():
    actual = [{"on": dt.date(2026, 1, 1), "enrolled": 3}]

    chart = charts.fan_chart(actual, [], 100, planned_end=dt.date(2026, 12, 31))

    assert chart.band == "" and chart.mean == ""
    assert chart.planned_end_x == chart.plot_right
    assert chart.x_ticks[0].label == "2026-01" and len(chart.x_ticks) <= 8


def test_fan_chart_without_points_is_none():
    assert charts.fan_chart([], [], 100) is None


# --- the tab, the button, the portfolio, the command -------------------------------------------------


def tab_url(study) -> str:
    return reverse("study_detail", kwargs={"study_id": study.pk}) + "?tab=forecast"


def recompute_url(study) -> str:
    return reverse("forecast_recompute", kwargs={"study_id": study.pk})


def test_forecast_tab_shows_the_chart_dates_and_sites_to_the_crm(world, client_for):
    study, _ = recruiting_world(world)

    response = client_for(world.crm).get(tab_url(study))

    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'class="forecast-band"' in body and 'class="forecast-target"' in body
    assert "90% chance by" in body and "Site 101" in body and "Recompute" in body
    # Computed for the page, not stored: a GET writes nothing.
    assert 'id="forecast-not-stored"' in body and not EnrollmentForecast.objects.exists()


def test_forecast_tab_shows_the_stored_snapshot_while_the_data_are_unchanged(world, client_for):
    study, _ = recruiting_world(world)
    stored = forecasts.refresh_enrollment_forecast(study=study)

    response = client_for(world.monitor).get(tab_url(study))

    assert response.context["forecast"].pk == stored.pk
    assert 'id="forecast-not-stored"' not in response.content.decode()


def test_forecast_tab_says_when_there_is_not_enough_data(world, client_for):
    body = client_for(world.crm).get(tab_url(world.study_a)).content.decode()

    assert "Not enough data." in body


def test_forecast_tab_shows_a_monitor_only_their_sites_and_no_button(world, client_for):
    study, _ = recruiting_world(world)

    body = client_for(world.monitor).get(tab_url(study)).content.decode()

    assert "Site 101" in body and "Site 102" not in body and "Recompute" not in body


def test_forecast_tab_is_404_for_an_outsider(world, client_for):
    assert client_for(world.outsider).get(tab_url(world.study_a)).status_code == 404
    with nothing_written():
        assert client_for(world.outsider).post(recompute_url(world.study_a)).status_code == 404


def test_recompute_is_403_for_the_auditor(world, client_for):
    with nothing_written():
        assert client_for(world.auditor).post(recompute_url(world.study_a)).status_code == 403


def test_recompute_by_the_crm_stores_a_new_snapshot(world, client_for):
    study, _ = recruiting_world(world)

    response = client_for(world.crm).post(recompute_url(study))

    assert response.status_code == 302 and response.url == tab_url(study)
    assert EnrollmentForecast.objects.get(study=study).computed_by == world.crm


def test_portfolio_colours_a_study_by_its_forecast(world, client_for):
    study, _ = recruiting_world(world)
    snapshot = forecasts.refresh_enrollment_forecast(study=study, sims=500)

    rows = study_selectors.portfolio_rows(list(study_selectors.portfolio(world.crm)), user=world.crm)
    body = client_for(world.crm).get("/").content.decode()

    assert rows[0].values["forecast_probability"] == snapshot.probability_by_planned_end
    assert f"forecast-{forecasts.probability_band(snapshot.probability_by_planned_end)}" in body


def test_the_forecast_column_takes_one_query_for_a_page_of_studies(world, django_assert_num_queries):
    from trialdesk.core import extensions

    studies = list(study_selectors.portfolio(world.admin))
    for study in studies:
        forecasts.refresh_enrollment_forecast(study=study, as_of=AS_OF)
    column = extensions.portfolio_columns.get("forecast_probability")
    with django_assert_num_queries(1):
        values = column.values(world.crm, studies)
    assert set(values) <= {study.pk for study in studies}
    rows = study_selectors.portfolio_rows(studies, user=world.crm)
    assert len(rows) == 2 and all(r.values["forecast_probability"] is None for r in rows)


def test_refresh_command(world):
    recruiting_world(world)
    out = io.StringIO()

    call_command("forecast", "refresh", stdout=out)
    call_command("forecast", "refresh", "--study", "ONC-A", stdout=out)

    text = out.getvalue()
    assert (
        "CARD-B: 0 of 120 enrolled;" in text and text.count("ONC-A: 33 of 120 enrolled; median") == 2
    )  # today is after the late one
    assert EnrollmentForecast.objects.filter(study=world.study_a).count() == 2


def test_refresh_command_names_an_unknown_study(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such study"):
        call_command("forecast", "refresh", "--study", "NOPE", stdout=io.StringIO())


def test_forecast_tab_queries_do_not_grow_with_the_study(world, client_for, django_assert_max_num_queries):
    study, _ = recruiting_world(world)
    crm = client_for(world.crm)
    with django_assert_max_num_queries(30) as few:
        assert crm.get(tab_url(study)).status_code == 200
    # Counted now: the connection's query log is a bounded deque that the setup below rotates.
    queries = len(few.captured_queries)
    for n in range(20):
        site = make_site(study, f"3{n:02d}", by=world.admin, institution=world.site_b1.institution)
        set_site(site, status="enrolling", activated_on=dt.date(2026, 3, 1))
        make_participant(site, f"Q{n:03d}", by=world.admin, enrolled_on=dt.date(2026, 4, 1))
    crm.get(tab_url(study))
    with django_assert_max_num_queries(queries):
        assert crm.get(tab_url(study)).status_code == 200
