"""The report pages and their PDFs: scoped to the reader's studies (404 outside), charts as data blocks."""

import pytest
from django.urls import reverse

from trialdesk.reporting.tests.factories import AE_TERM, PARTICIPANT, world_with_safety

pytestmark = pytest.mark.django_db


def test_crm_gets_the_study_report_page_with_its_charts_and_pdf_link(world, client_for):
    world_with_safety(world)
    response = client_for(world.crm).get(reverse("study_report", kwargs={"study_id": world.study_a.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-vega-spec="chart-spec-' in html and 'type="application/json"' in html
    assert "vendor/vega/vega-embed.min.js" in html
    assert reverse("study_report_pdf", kwargs={"study_id": world.study_a.pk}) in html
    assert AE_TERM in html


def test_crm_downloads_the_study_report_pdf(world, client_for):
    response = client_for(world.crm).get(reverse("study_report_pdf", kwargs={"study_id": world.study_a.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["study_report", "study_report_pdf"])
def test_coordinator_of_study_b_gets_404_for_study_a_report(world, client_for, name):
    url = reverse(name, kwargs={"study_id": world.study_a.pk})
    assert client_for(world.coordinator).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code == 404


def test_sponsor_viewer_page_names_no_event_or_participant(world, client_for):
    world_with_safety(world)
    html = (
        client_for(world.sponsor_viewer)
        .get(reverse("study_report", kwargs={"study_id": world.study_a.pk}))
        .content.decode()
    )
    assert AE_TERM not in html and PARTICIPANT not in html


def test_portfolio_report_page_and_pdf(world, client_for):
    client = client_for(world.crm)
    page = client.get(reverse("portfolio_report"))
    assert page.status_code == 200 and world.study_a.code in page.content.decode()
    assert world.study_b.code not in page.content.decode()
    document = client.get(reverse("portfolio_report_pdf"))
    assert document.status_code == 200 and document.content.startswith(b"%PDF")


def test_report_pages_need_sign_in(client, world):
    response = client.get(reverse("portfolio_report"))
    assert response.status_code == 302
