"""API authentication and the signed-in user's own resources: /me and personal API tokens."""

from django.test import Client

from tests.writes import nothing_written
from trialdesk.core.models import ApiToken
from trialdesk.core.services import create_api_token, revoke_api_token


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_unauthenticated_request_gets_401_json(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": response.json()["detail"], "errors": []}
    assert "Bearer" in response.json()["detail"]


def test_session_user_reads_me_with_roles(world, client_for):
    body = client_for(world.crm).get("/api/v1/me").json()
    assert body["user"]["username"] == "crm_anna"
    assert body["is_administrator"] is False
    assert [(r["role"], r["study_code"]) for r in body["roles"]] == [("crm", "ONC-A")]


def test_monitor_sees_the_site_their_role_is_held_on(world, client_for):
    (role,) = client_for(world.monitor).get("/api/v1/me").json()["roles"]
    assert (role["role"], role["scope"], role["site_number"]) == ("monitor", "site", "101")


def test_bearer_token_authenticates_and_records_its_use(world):
    token, raw = create_api_token(user=world.crm, name="export script", by=world.crm)
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "crm_anna"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_gets_401(world):
    token, raw = create_api_token(user=world.crm, name="old script", by=world.crm)
    revoke_api_token(token=token, by=world.crm)
    response = bearer(raw).get("/api/v1/studies")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_unknown_token_gets_401_even_with_a_signed_in_session(world):
    client = Client(HTTP_AUTHORIZATION="Bearer td_not-a-real-token")
    client.force_login(world.crm)
    assert client.get("/api/v1/me").status_code == 401


def test_session_write_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.crm)
    assert client.get("/api/v1/me").status_code == 200
    response = client.post("/api/v1/me/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_session_write_with_csrf_token_is_accepted(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.crm)
    client.get("/api/v1/docs")  # sets the csrftoken cookie, as the browser's first page would
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/me/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201 and response.json()["name"] == "x"
    assert list(ApiToken.objects.filter(user=world.crm).values_list("name", flat=True)) == ["x"]


def test_token_write_needs_no_csrf_token(world):
    _, raw = create_api_token(user=world.crm, name="script", by=world.crm)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.post("/api/v1/me/tokens", {"name": "y"}, content_type="application/json").status_code == 201
    assert sorted(ApiToken.objects.filter(user=world.crm).values_list("name", flat=True)) == ["script", "y"]


def test_new_token_is_shown_once_and_then_works(world, client_for):
    client = client_for(world.auditor)
    created = client.post("/api/v1/me/tokens", {"name": "audit export"}, content_type="application/json")
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("td_") and raw.startswith(created.json()["prefix"])
    listed = client.get("/api/v1/me/tokens").json()
    assert listed["count"] == 1 and "token" not in listed["items"][0]
    assert raw not in str(listed)
    assert bearer(raw).get("/api/v1/me").json()["user"]["username"] == "auditor_ada"


def test_token_without_a_name_is_refused_naming_the_field(world, client_for):
    response = client_for(world.crm).post("/api/v1/me/tokens", {"name": " "}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "name", "message": response.json()["errors"][0]["message"]}
    ]


def test_revoking_a_token_stops_it_working(world, client_for):
    token, raw = create_api_token(user=world.crm, name="script", by=world.crm)
    response = client_for(world.crm).delete(f"/api/v1/me/tokens/{token.pk}")
    assert response.status_code == 204
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert bearer(raw).get("/api/v1/me").status_code == 401


def test_another_users_token_is_404(world, client_for):
    token, raw = create_api_token(user=world.crm, name="script", by=world.crm)
    with nothing_written():
        assert client_for(world.monitor).delete(f"/api/v1/me/tokens/{token.pk}").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None and bearer(raw).get("/api/v1/me").status_code == 200


def test_token_list_is_paginated(world, client_for):
    for n in range(3):
        create_api_token(user=world.crm, name=f"script {n}", by=world.crm)
    page = client_for(world.crm).get("/api/v1/me/tokens?limit=2&offset=2").json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 2, 1)


def test_malformed_json_is_400(world, client_for):
    response = client_for(world.crm).post("/api/v1/me/tokens", "{name:", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "errors": []}
