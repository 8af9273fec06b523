"""The portfolio read for a page (issue 19 §2): the same studies, rows and order as the full portfolio,
read as ids first and values after; sorting by the next milestone's variance (issue 16); the header's
roles from the assignments read once a request."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import make_study
from trialdesk.studies import selectors, services

SORTS = ("code", "-code", "title", "status", "health", "sites_planned", "-enrolled", "variance", "-variance")


@pytest.fixture
def portfolio_world(world):
    # A third study whose next milestone slips 30 days: first when sorted late first.
    late = make_study("LATE-C", by=world.admin, phase="III")
    services.create_milestone(
        study=late,
        kind="database_lock",
        baseline_on=dt.date(2027, 1, 1),
        forecast_on=dt.date(2027, 1, 31),
        by=world.admin,
    )
    world.late = late
    return world


def test_portfolio_studies_are_the_scoped_studies(portfolio_world):
    w = portfolio_world
    for user in (w.admin, w.crm, w.monitor, w.coordinator, w.auditor, w.sponsor_viewer, w.outsider):
        assert set(selectors.portfolio_studies_for(user)) == set(selectors.studies_for(user)), user
    w.crm.is_active = False
    assert not selectors.portfolio_studies_for(w.crm).exists()


def test_a_page_has_the_rows_and_order_of_the_whole_portfolio(portfolio_world):
    admin = portfolio_world.admin
    for sort in SORTS:
        whole = list(selectors.portfolio(admin, sort=sort))
        results = selectors.portfolio_results(admin, sort=sort)
        page = results[0:50]
        assert results.count() == len(whole)
        assert [s.pk for s in page] == [s.pk for s in whole], sort
        whole_rows = selectors.portfolio_rows(whole, user=admin)
        page_rows = selectors.portfolio_rows(page, user=admin)
        for mine, theirs in zip(page_rows, whole_rows, strict=True):
            assert mine.values == theirs.values
            assert mine.next_milestone_variance_days == theirs.next_milestone_variance_days
    second = selectors.portfolio_results(admin, sort="code")[1:2]
    assert [s.code for s in second] == [list(selectors.portfolio(admin, sort="code"))[1].code]


def test_portfolio_sorts_by_the_next_milestones_variance(portfolio_world, client_for):
    client = client_for(portfolio_world.admin)
    late_first = client.get("/api/v1/studies", {"sort": "-variance"}).json()["items"]
    assert late_first[0]["code"] == "LATE-C"
    body = client.get(reverse("portfolio"), {"sort": "-variance"}).content.decode()
    assert body.index("LATE-C") < body.index("ONC-A")
    assert "?sort=variance" in body  # the header's link reverses the order


def test_header_names_the_readers_roles(portfolio_world, client_for):
    body = client_for(portfolio_world.crm).get(reverse("portfolio")).content.decode()
    assert "Clinical Research Manager" in body
    body = client_for(portfolio_world.monitor).get(reverse("portfolio")).content.decode()
    assert "CRA / monitor" in body
