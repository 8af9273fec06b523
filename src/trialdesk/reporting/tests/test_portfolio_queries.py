"""The portfolio report reads each section in a constant number of queries, whatever the number of
studies (stored health and estimates, no per-study reading); what is stored is what it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_site, make_study
from trialdesk.reporting import freshness, reports
from trialdesk.studies import stored_health

pytestmark = pytest.mark.django_db


def queries_of_portfolio(user) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        report = reports.portfolio_report(user)
    return len(queries), {section.key: section.block for section in report.sections}


def test_portfolio_report_queries_do_not_grow_with_the_studies(world):
    few, _ = queries_of_portfolio(world.admin)
    for number in range(3):
        study = make_study(f"EXTRA-{number}", by=world.admin)
        make_site(study, f"X{number}", by=world.admin)
    many, blocks = queries_of_portfolio(world.admin)
    assert many == few, f"{few} queries for 2 studies, {many} for 5"
    health_rows = blocks["health"].tables[0].rows
    assert {row[1] for row in health_rows} == {"not yet computed"}


def test_portfolio_report_shows_the_stored_health_and_estimate(world):
    stored_health.refresh([world.study_a])
    freshness.refresh_estimates([world.study_a])
    _, blocks = queries_of_portfolio(world.crm)
    health = {row[0]: row for row in blocks["health"].tables[0].rows}
    assert health["ONC-A"][1] == "Red"
    finance = {row[0]: row for row in blocks["finance"].tables[0].rows}
    assert finance["ONC-A"][1] == "no budget"
