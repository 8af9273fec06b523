"""Strict input types on the JSON API and text limits on the pages (issue 12 §4): a date is an ISO date
string, a number a JSON number, a yes/no a JSON boolean; text without lone surrogates and within its
length. Each refusal is a 422 naming the field (a form error on a page), and nothing is written."""

import json

import pytest

from tests.factories import make_participant
from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent

API = "/api/v1"
LONE_SURROGATE = "x\ud800y"


def post(client, url, data):
    # json.dumps writes a lone surrogate as the escape \ud800, as a client's JSON library would.
    return client.post(url, data=json.dumps(data), content_type="application/json")


def refused_fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {error["field"] for error in response.json()["errors"]}


@pytest.mark.parametrize(
    "field, value",
    [
        ("version_date", 0),  # lax parsing made it 1970-01-01
        ("version_date", "1798761600"),  # lax parsing made it a date in 2027
        ("version_date", 1798761600),
        ("version_date", "2025-03-01T00:00:00"),
        ("amendment_number", True),
        ("amendment_number", 1.5),
        ("amendment_number", "2"),
        ("number", LONE_SURROGATE),
        ("summary_of_changes", "a" * 300_000),
        ("reason", LONE_SURROGATE),
    ],
)
def test_a_protocol_version_with_a_value_of_the_wrong_type_is_refused(world, client_for, field, value):
    body = {"number": "2.0", "version_date": "2025-03-01", field: value}
    with nothing_written():
        response = post(client_for(world.crm), f"{API}/studies/{world.study_a.pk}/protocol-versions", body)
    assert refused_fields(response) == {field}


def test_a_well_typed_protocol_version_is_accepted(world, client_for):
    body = {"number": "2.0", "version_date": "2025-03-01", "amendment_number": 1, "summary_of_changes": "x"}
    response = post(client_for(world.crm), f"{API}/studies/{world.study_a.pk}/protocol-versions", body)
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"site_aware_at": 1741600800}, "site_aware_at"),
        ({"site_aware_at": "1741600800"}, "site_aware_at"),
        ({"expected": "no"}, "expected"),
        ({"grade": True}, "grade"),
        ({"narrative": "a" * 300_000}, "narrative"),
        ({"verbatim_term": LONE_SURROGATE}, "verbatim_term"),
        ({"seriousness": [LONE_SURROGATE]}, "seriousness"),
    ],
)
def test_an_adverse_event_with_a_value_of_the_wrong_type_is_refused(world, client_for, overrides, field):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    body = {
        "participant_id": participant.pk,
        "verbatim_term": "short of breath",
        "ctcae_term": "pneumonitis",
        "grade": 3,
        "onset_on": "2025-03-09",
        "seriousness": ["hospitalization"],
        "expected": False,
        "site_aware_at": "2025-03-10T10:00:00+01:00",
        **overrides,
    }
    with nothing_written():
        response = post(client_for(world.crm), f"{API}/studies/{world.study_a.pk}/adverse-events", body)
    assert field in refused_fields(response)


def test_a_lone_surrogate_in_an_update_is_refused_not_a_server_error(world, client_for):
    arm = world.study_a.arms.get()
    with nothing_written():
        response = client_for(world.crm).patch(
            f"{API}/arms/{arm.pk}",
            data=json.dumps({"name": LONE_SURROGATE, "reason": "typo", "version": arm.version}),
            content_type="application/json",
        )
    assert refused_fields(response) == {"name"}


def test_the_openapi_document_states_the_text_limit(client):
    schemas = client.get(f"{API}/openapi.json").json()["components"]["schemas"]
    follow_up = schemas["ProtocolVersionIn"]["properties"]
    assert follow_up["summary_of_changes"]["maxLength"] == 20_000
    assert follow_up["version_date"] == {"format": "date", "title": "Version Date", "type": "string"}


def test_query_strings_still_read_numbers_and_dates_from_text(world, client_for):
    response = client_for(world.crm).get(f"{API}/studies?limit=1&offset=0")
    assert response.status_code == 200 and response.json()["limit"] == 1


def test_a_300000_character_narrative_on_the_page_is_a_form_error(world, client_for):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    form = {
        "participant": participant.pk,
        "verbatim_term": "breathless",
        "ctcae_term": "Pneumonitis",
        "grade": "3",
        "onset_on": "2025-03-09",
        "seriousness": ["hospitalization"],
        "expected": "no",
        "outcome": "recovering",
        "action_taken": "interrupted",
        "site_aware_at": "2025-03-10T10:00",
        "narrative": "a" * 300_000,
    }
    before = AuditEvent.objects.count()
    response = client_for(world.crm).post(f"/studies/{world.study_a.pk}/adverse-events/new/", form)
    assert response.status_code == 200
    assert response.context["form"].errors["narrative"] == ["At most 20,000 characters (this has 300,000)."]
    assert AuditEvent.objects.count() == before
