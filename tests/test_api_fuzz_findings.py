"""Bugs the schemathesis run (tests/test_api_fuzz.py) found, each pinned by the request that showed it."""

import json

from tests.writes import nothing_written
from trialdesk.api import api

JSON = "application/json"


def test_two_schemas_never_share_a_name_in_the_openapi_document():
    # The finance app's MilestoneOut replaced the studies app's in the document: GET /milestones/{id}
    # answered a body that "violated" the finance schema it was documented with.
    schemas = json.loads(json.dumps(api.get_openapi_schema()))["components"]["schemas"]
    milestone = schemas["MilestoneOut"]["properties"]
    assert {"kind", "baseline_on", "is_late"} <= set(milestone)


def test_a_new_screening_entry_with_a_first_assessment_is_a_422_not_a_500(world, client_for):
    # consent_timing looked up the consents of the entry being created (unsaved): ValueError, a 500.
    from trialdesk.subjects.tests.factories import make_enrolling

    site = make_enrolling(world.site_a1, by=world.admin)
    body = {"screening_number": "S-1", "screened_on": "2025-03-01", "first_assessment_on": "2025-03-01"}
    with nothing_written():
        response = client_for(world.crm).post(
            f"/api/v1/study-sites/{site.pk}/screening-entries", json.dumps(body), content_type=JSON
        )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["first_assessment_on"]


def test_a_fee_that_is_not_a_number_is_a_422_not_a_500(world, client_for):
    # Amount took any text; Decimal("ÍíX") then failed in the service.
    body = {"effective_on": "2025-01-01", "currency": "EUR", "screen_failure_fee": "ÍíX"}
    with nothing_written():
        response = client_for(world.crm).post(
            f"/api/v1/study-sites/{world.site_a1.pk}/fee-schedules", json.dumps(body), content_type=JSON
        )
    assert response.status_code == 422
    assert "screen_failure_fee" in {e["field"] for e in response.json()["errors"]}


def test_the_supply_forecast_without_an_activation_forecast_is_a_200_not_a_500(world, client_for):
    """Found by the statistics fuzz: a recruiting study whose sites' activation delays cannot be drawn."""
    from trialdesk.statistics.tests.test_forecasts import recruiting_world

    recruiting_world(world)
    answer = client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/supply/forecast")
    assert answer.status_code == 200, answer.content
