"""Health at a glance: the worst-colour rule, readings combined by dimension, and the study overview's
Health panel (every registered signal, in a bounded number of queries; "hidden" where it must be)."""

import datetime as dt

import pytest
from django.test import RequestFactory

from tests.factories import make_participant, make_site
from trialdesk.core import extensions
from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN, HealthReading
from trialdesk.core.health import Part, combine, health_panel, worst_colour
from trialdesk.studies import services as study_services


@pytest.mark.parametrize(
    "colours, worst",
    [
        ([], UNKNOWN),
        ([GREEN], GREEN),
        ([GREEN, GREEN], GREEN),
        ([GREEN, AMBER], AMBER),
        ([GREEN, UNKNOWN], UNKNOWN),  # a part hidden or unknown: the whole is not known to be green
        ([UNKNOWN, AMBER], AMBER),
        ([AMBER, RED, GREEN], RED),
        ([UNKNOWN, RED], RED),
    ],
)
def test_worst_colour(colours, worst):
    assert worst_colour(colours) == worst


def test_combine_groups_readings_by_dimension_in_spec_order_keeping_every_reason():
    parts = [
        Part("Re-consent", HealthReading("compliance", GREEN, "no re-consent pending", "/r")),
        Part("Reporting obligations", HealthReading("safety", RED, "2 overdue", "/s")),
        Part("Ethics approvals", HealthReading("compliance", AMBER, "lapsing at site 101", "/e")),
        Part("Enrollment forecast", HealthReading("enrollment", UNKNOWN, "no forecast yet", "/f")),
    ]
    dimensions = combine(parts)
    assert [(d.key, d.label, d.colour, d.colour_word) for d in dimensions] == [
        ("enrollment", "Enrollment", UNKNOWN, "Unknown"),
        ("safety", "Safety", RED, "Red"),
        ("compliance", "Compliance", AMBER, "Amber"),
    ]
    assert [part.label for part in dimensions[2].parts] == ["Re-consent", "Ethics approvals"]


def test_every_dimension_of_the_spec_that_exists_has_a_signal():
    dimensions = {signal.key for signal in extensions.health_signals}
    assert {"enrollment", "timeline", "safety", "ethics_approvals", "essential_documents"} <= dimensions
    assert {"reconsent", "delegated_staff"} <= dimensions


def test_the_overview_shows_each_dimension_with_its_colour_in_words_and_a_link_to_the_cause(
    world, client_for, clock
):
    clock.move_to("2025-07-01T12:00Z")
    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=overview").content.decode()
    assert '<h3 id="health-heading">Health <a class="small" href="/studies/' in body  # and its details page
    for label in ("Enrollment", "Timeline", "Safety", "Compliance"):
        assert f'<th scope="row">{label}</th>' in body
    assert f'<a href="/studies/{world.study_a.pk}/?tab=forecast">no forecast yet</a>' in body
    # Site 102's activation (baseline 2025-05-01) is 61 days late: red, in words as well as in colour.
    timeline = body[body.index('<th scope="row">Timeline</th>') : body.index('<th scope="row">Safety</th>')]
    assert '<span class="health-dot" aria-hidden="true"></span>Red</span>' in timeline
    assert "2 of 2 open milestones late; Site activated (site 102) by 61 days" in timeline
    assert f'href="/studies/{world.study_a.pk}/?tab=milestones"' in timeline


def test_a_sponsor_viewer_reads_hidden_where_the_figures_are_subject_level(world, client_for):
    body = client_for(world.sponsor_viewer).get(f"/studies/{world.study_a.pk}/?tab=overview").content.decode()
    assert "hidden: adverse events and their reporting obligations are subject-level data" in body
    assert "hidden: participants&#x27; re-consents are subject-level data" in body
    assert "no reporting obligation overdue" not in body and "no re-consent pending" not in body


def panel_for(user, study):
    request = RequestFactory().get("/")
    request.user = user
    return health_panel(request, study)


def test_the_health_panel_takes_the_same_queries_for_a_bigger_study(world, django_assert_max_num_queries):
    study = world.study_a
    with django_assert_max_num_queries(25) as few:
        assert panel_for(world.crm, study)["health_dimensions"]
    for n in range(12):
        site = make_site(study, f"3{n:02d}", by=world.admin, institution=world.site_a1.institution)
        make_participant(site, f"3{n:02d}-001", by=world.admin)
        study_services.create_milestone(
            study=study,
            study_site=site,
            kind="site_activated",
            baseline_on=dt.date(2025, 5, 1),
            by=world.admin,
        )
    world.crm.refresh_from_db()  # a fresh user: role facts are loaded again, as on a new request
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert panel_for(world.crm, study)["health_dimensions"]
