"""Key risk indicators from Trialdesk's records: counts per site, flags, scope, the tab, the API, the SVG."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_participant, make_site
from trialdesk.core.records import create_record
from trialdesk.statistics import kris
from trialdesk.statistics.funnel import Curve, Dot, funnel_svg
from trialdesk.subjects.models import ScreeningEntry
from trialdesk.visits import services as visit_services
from trialdesk.visits.models import ScheduledVisit
from trialdesk.visits.tests.factories import add_schedule, make_effective

ENROLLED_ON = dt.date(2025, 1, 6)
OUTLIER_DEVIATIONS = 30


def add_deviation(site, *, by, important=True, category="procedure", participant=None):
    return visit_services.create_deviation(
        study=site.study,
        study_site=site,
        participant=participant,
        category=category,
        important=important,
        description="Deviation for the KRI tests.",
        occurred_on=dt.date(2025, 4, 1),
        identified_on=dt.date(2025, 4, 2),
        by=by,
    )


def populate(world, site, *, participants=3, important=1):
    for i in range(participants):
        make_participant(site, f"{site.site_number}-{i:03d}", by=world.admin, enrolled_on=ENROLLED_ON)
    for _ in range(important):
        add_deviation(site, by=world.admin)


@pytest.fixture
def outlier_world(world):
    """Study A with 12 sites of 3 participants each, enrolled on the same day: one important deviation
    per site, except site 101 with 30. The over-dispersion-adjusted score of 101 is about 3.3."""
    sites = [world.site_a1, world.site_a2]
    sites += [make_site(world.study_a, str(103 + i), by=world.admin) for i in range(10)]
    for site in sites:
        populate(world, site, important=OUTLIER_DEVIATIONS if site == world.site_a1 else 1)
    return world


def rows_by_site(result):
    return {row.site.site_number: row for row in result.rows}


# Scoring ---------------------------------------------------------------------------------------------


def test_the_outlier_site_is_flagged_red_and_listed_first(outlier_world):
    world = outlier_world
    result = kris.study_kri(world.crm, world.study_a, "important_deviation_rate")
    assert result.sites_scored == 12
    assert [row.site.site_number for row in result.flagged] == ["101"]
    first = result.rows[0]
    assert first.site == world.site_a1 and first.flag == 2 and first.score > 3
    assert first.numerator == OUTLIER_DEVIATIONS
    others = result.rows[1:]
    assert all(row.flag == 0 and row.numerator == 1 for row in others)
    # Everyone has the same exposure, so the overall rate is the deviations over 12 sites' exposure.
    assert result.overall_metric == pytest.approx(41 / sum(r.denominator for r in result.rows))
    # The lower bounds fall below zero here (a negative count is no bound); the centre and upper stay.
    assert result.bounds is not None and {0, 2, 3} <= set(result.bounds.threshold.tolist())


def test_a_site_monitor_sees_own_site_rows_with_study_wide_scores(outlier_world):
    world = outlier_world
    crm = kris.study_kri(world.crm, world.study_a, "important_deviation_rate")
    monitor = kris.study_kri(world.monitor, world.study_a, "important_deviation_rate")
    assert [row.site for row in monitor.rows] == [world.site_a1]
    assert monitor.overall_metric == crm.overall_metric
    assert monitor.rows[0].score == rows_by_site(crm)["101"].score


def test_query_count_does_not_grow_with_the_number_of_sites(world):
    populate(world, world.site_a1)
    kris.study_kris(world.crm, world.study_a)  # the user's roles are looked up once, then cached
    with CaptureQueriesContext(connection) as few:
        kris.study_kris(world.crm, world.study_a)
    for i in range(6):
        populate(world, make_site(world.study_a, str(110 + i), by=world.admin), participants=2)
    with CaptureQueriesContext(connection) as many:
        results = kris.study_kris(world.crm, world.study_a)
    assert len(results) == len(kris.kri_definitions())
    assert len(many) == len(few) <= 8  # sites, visible sites, then the apps' grouped counts (AEs: one)


def test_a_study_without_data_has_rows_but_no_scores(world):
    result = kris.study_kri(world.crm, world.study_a, "screen_failure_rate")
    assert result.bounds is None and result.overall_metric is None
    assert {row.site for row in result.rows} == {world.site_a1, world.site_a2}
    assert all(row.metric is None and row.flag_label == "No data" for row in result.rows)


def test_each_indicator_counts_what_its_definition_says(world):
    admin, site = world.admin, world.site_a1
    today = site.local_today()
    for number, outcome in enumerate(["failed", "failed", "failed", "passed", "pending"]):
        failure = (
            {"failure_reason": "inclusion_not_met", "failure_detail": "I1"} if outcome == "failed" else {}
        )
        create_record(
            ScreeningEntry(
                study=world.study_a,
                study_site=site,
                screening_number=f"S-{number}",
                screened_on=dt.date(2025, 2, 1),
                outcome=outcome,
                **failure,
            ),
            by=admin,
        )
    active = [make_participant(site, f"101-A{i}", by=admin) for i in range(4)]
    left = dt.date(2025, 3, 10)
    for number, status in [("101-W", "withdrawn"), ("101-L", "lost_to_follow_up"), ("101-D", "died")]:
        make_participant(site, number, by=admin, status=status, status_changed_on=left)
    make_participant(site, "101-S", by=admin, status="screening", enrolled_on=None)
    # Consent: two deviations about one participant, one about another, one about the site.
    for participant in (active[0], active[0], active[1], None):
        add_deviation(site, by=admin, category="consent", important=False, participant=participant)
    # Visits of one participant: out of window, in window, missed, not due yet; none for the leaver.
    definitions = add_schedule(make_effective(world.protocol_a, by=admin), by=admin)
    withdrawn = site.participants.get(number="101-W")
    closed = today - dt.timedelta(days=5)
    visits = [
        (active[0], definitions[2], dict(status="done", done_on=closed, out_of_window=True)),
        (active[0], definitions[3], dict(status="done", done_on=closed)),
        (active[0], definitions[4], dict(window_start_on=closed, window_end_on=closed)),
        (active[0], definitions[5], dict(window_end_on=today + dt.timedelta(days=5))),
        (withdrawn, definitions[4], dict(window_end_on=closed)),  # closed after they left: not expected
    ]
    for participant, definition, values in visits:
        create_record(ScheduledVisit(participant=participant, definition=definition, **values), by=admin)

    counts = {r.definition.key: rows_by_site(r)["101"] for r in kris.study_kris(world.crm, world.study_a)}
    pairs = {key: (row.numerator, row.denominator) for key, row in counts.items()}
    assert pairs["screen_failure_rate"] == (3, 4)
    assert pairs["discontinuation_rate"] == (2, 7)
    assert pairs["consent_deviation_rate"] == (2, 7)
    assert pairs["visit_window_rate"] == (1, 2)
    assert pairs["missed_visit_rate"] == (1, 3)
    assert pairs["important_deviation_rate"][0] == 0
    assert counts["screen_failure_rate"].metric == pytest.approx(0.75)


def test_definitions_follow_gsm_where_they_correspond():
    by_gsm = {d.gsm_id: d for d in kris.kri_definitions() if d.gsm_id}
    assert set(by_gsm) == {"kri0001", "kri0002", "kri0004", "kri0006", "kri0012"}
    assert by_gsm["kri0004"].metric_type == "rate" and by_gsm["kri0004"].thresholds == (-3, -2, 2, 3)
    assert by_gsm["kri0004"].min_denominator * 30.4375 == pytest.approx(30)  # gsm's 30 days on study
    assert by_gsm["kri0006"].min_denominator == by_gsm["kri0012"].min_denominator == 3
    assert kris.definition("nonsense").key == kris.default_kri()


# The study page's tab and the API ---------------------------------------------------------------------


def kri_url(study, kri=""):
    url = reverse("study_detail", kwargs={"study_id": study.pk}) + "?tab=kri"
    return url + (f"&kri={kri}" if kri else "")


def test_the_tab_shows_the_funnel_and_the_flagged_site_to_the_crm(outlier_world, client_for):
    world = outlier_world
    response = client_for(world.crm).get(kri_url(world.study_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Risk indicators" in html and "<svg" in html and 'data-flag="2"' in html
    assert html.count('class="site"') == 12
    table = html[html.index('id="kri-sites"') :]
    assert table.index(">101 <") < table.index(">102 <")  # the red site first
    assert "Red (high)" in table


def test_the_tab_switches_indicator_and_answers_partials(outlier_world, client_for):
    client = client_for(outlier_world.crm)
    response = client.get(kri_url(outlier_world.study_a, "discontinuation_rate"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'value="discontinuation_rate" selected' in html
    # Nobody has left: every site's metric is 0, and with no variance every score is 0 (as gsm).
    assert html.count('data-flag="0"') == 12


def test_the_tab_shows_a_site_monitor_only_their_site(outlier_world, client_for):
    html = client_for(outlier_world.monitor).get(kri_url(outlier_world.study_a)).content.decode()
    assert html.count('class="site"') == 1 and ">102 <" not in html


def test_outsiders_get_404_from_the_tab_and_the_api(outlier_world, client_for):
    client = client_for(outlier_world.outsider)
    assert client.get(kri_url(outlier_world.study_a)).status_code == 404
    assert client.get(f"/api/v1/studies/{outlier_world.study_a.pk}/kris").status_code == 404


def test_the_api_lists_every_indicator_per_site_with_score_and_flag(outlier_world, client_for):
    world = outlier_world
    client = client_for(world.crm)
    body = client.get(f"/api/v1/studies/{world.study_a.pk}/kris?limit=200").json()
    assert body["count"] == 12 * len(kris.kri_definitions())
    important = [i for i in body["items"] if i["kri"] == "important_deviation_rate"]
    assert important[0]["site_number"] == "101" and important[0]["flag"] == 2
    assert important[0]["gsm_id"] == "kri0004" and important[0]["score"] > 3
    one = client.get(f"/api/v1/studies/{world.study_a.pk}/kris?kri=screen_failure_rate").json()
    assert {i["kri"] for i in one["items"]} == {"screen_failure_rate"}
    assert client.get(f"/api/v1/studies/{world.study_a.pk}/kris?kri=nonsense").status_code == 422
    monitor = client_for(world.monitor).get(f"/api/v1/studies/{world.study_a.pk}/kris").json()
    assert {i["site_number"] for i in monitor["items"]} == {"101"}


# The SVG helper ----------------------------------------------------------------------------------------


def test_funnel_svg_draws_a_dot_per_site_coloured_by_flag_and_the_bounds():
    dots = [Dot(10, 0.1, 0, "Site 1"), Dot(20, 0.9, 2, "Site 2"), Dot(5, 0.2, None, "Site 3")]
    curves = [Curve(t, [1, 10, 20], [0.3 + t / 10, 0.3 + t / 20, 0.3 + t / 30]) for t in (-2, 0, 2)]
    svg = funnel_svg(dots, curves, x_label="Visits", y_label="Share", title="Funnel")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<circle") == 3 and svg.count("<polyline") == 3
    assert 'data-flag="2"' in svg and 'fill="#c0392b"' in svg  # red
    assert 'data-flag="none"' in svg and 'fill="none"' in svg  # hollow: not scored
    assert "nan" not in svg and "inf" not in svg


def test_funnel_svg_escapes_text_and_skips_non_finite_points():
    svg = funnel_svg(
        [Dot(10, 0.5, 1, "<script>x</script>"), Dot(float("nan"), 0.1, 0, "bad")],
        [Curve(2, [0, 5, float("inf")], [float("nan"), 0.4, 0.5])],
        x_label="a & b",
        y_label='"y"',
        title="<t>",
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert svg.count("<circle") == 1 and "<polyline" not in svg  # one finite bound point is no line


def test_funnel_svg_without_sites_says_so():
    svg = funnel_svg([], [], x_label="n", y_label="m", title="Empty")
    assert "No site has data" in svg and "<circle" not in svg
