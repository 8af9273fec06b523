"""The portfolio page and study tabs take the same number of queries however many studies there are."""

import datetime as dt

import pytest

from tests.factories import make_site, make_study
from trialdesk.studies import services
from trialdesk.studies.models import Study


def add_studies_up_to(world, total):
    for n in range(Study.objects.visible_to(world.crm).count(), total):
        study = make_study(f"BULK-{n:03d}", by=world.crm)
        make_site(study, "1", by=world.crm, institution=world.site_a1.institution)
        services.create_milestone(
            study=study, kind="database_lock", baseline_on=dt.date(2027, 1, 1), by=world.crm
        )


@pytest.mark.parametrize("url", ["/", "/?sort=-status&phase=III", "/?page=2"])
def test_portfolio_page_queries_do_not_grow_with_the_portfolio(
    world, client_for, url, django_assert_max_num_queries
):
    crm = client_for(world.crm)
    add_studies_up_to(world, 5)
    with django_assert_max_num_queries(20) as few:
        crm.get(url)
    add_studies_up_to(world, 120)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = crm.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("tab", ["overview", "protocol", "arms", "milestones", "sites", "history"])
def test_study_tabs_queries_do_not_grow_with_the_study(world, client_for, tab, django_assert_max_num_queries):
    crm = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/?tab={tab}"
    # The overview's Health panel reads every registered health signal, each in a few queries of its
    # own (bounded in core/tests/test_health.py); the property checked is that nothing grows.
    with django_assert_max_num_queries(50 if tab == "overview" else 25) as few:
        assert crm.get(url).status_code == 200
    for n in range(30):
        make_site(world.study_a, f"3{n:02d}", by=world.crm, institution=world.site_b1.institution)
        services.create_milestone(
            study=world.study_a,
            kind="custom",
            name=f"Visit {n}",
            by=world.crm,
            baseline_on=dt.date(2026, 1, 1),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert crm.get(url).status_code == 200
