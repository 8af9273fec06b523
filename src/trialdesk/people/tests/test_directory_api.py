"""The people API: /api/v1/users and their roles, scoped like the People pages, errors as JSON."""

import pytest

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent, RoleAssignment, User


def usernames(response) -> set[str]:
    return {item["username"] for item in response.json()["items"]}


def errors_on(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_list_users_is_scoped_to_the_viewer(world, client_for):
    everyone = usernames(client_for(world.admin).get("/api/v1/users"))
    assert {"coordinator_carl", "outsider_otto", "crm_anna"} <= everyone
    assert usernames(client_for(world.crm).get("/api/v1/users")) == {
        "crm_anna",
        "monitor_mia",
        "auditor_ada",
        "sponsor_sam",
    }
    assert usernames(client_for(world.outsider).get("/api/v1/users")) == {"outsider_otto"}


def test_list_users_searches_and_pages(world, client_for):
    body = client_for(world.admin).get("/api/v1/users", {"search": "mia"}).json()
    assert [item["username"] for item in body["items"]] == ["monitor_mia"]
    body = client_for(world.admin).get("/api/v1/users", {"limit": 2, "offset": 2}).json()
    assert (body["limit"], body["offset"], len(body["items"])) == (2, 2, 2) and body["count"] > 4


def test_get_user_shows_roles_the_viewer_may_see(world, client_for):
    body = client_for(world.crm).get(f"/api/v1/users/{world.monitor.pk}").json()
    (role,) = body["roles"]
    assert (role["role"], role["study_code"], role["site_number"]) == ("monitor", "ONC-A", "101")
    assert body["is_active"] is True and "password" not in body


def test_get_user_outside_scope_is_404(world, client_for):
    assert client_for(world.crm).get(f"/api/v1/users/{world.coordinator.pk}").status_code == 404
    assert client_for(world.monitor).get(f"/api/v1/users/{world.crm.pk}").status_code == 404


def test_administrator_creates_a_user_and_gets_the_one_time_password_once(world, client_for):
    response = post(
        client_for(world.admin), "/api/v1/users", {"username": "nina_new", "email": "n@example.org"}
    )
    assert response.status_code == 201
    body = response.json()
    assert User.objects.get(username="nina_new").check_password(body["one_time_password"])
    assert "one_time_password" not in client_for(world.admin).get(f"/api/v1/users/{body['id']}").json()


def test_create_user_with_administrator_role(world, client_for):
    body = post(client_for(world.admin), "/api/v1/users", {"username": "root2", "administrator": True}).json()
    assert [role["role"] for role in body["roles"]] == ["administrator"]


def test_create_user_by_a_crm_is_403(world, client_for):
    response = post(client_for(world.crm), "/api/v1/users", {"username": "sneaky"})
    assert response.status_code == 403 and not User.objects.filter(username="sneaky").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "crm_anna"}, "username"),
        ({"username": "ok", "email": "nope"}, "email"),
        ({"username": "ok", "password": "short"}, "password"),
        ({"username": "ok", "favourite_colour": "blue"}, "favourite_colour"),
        ({}, "username"),
    ],
)
def test_create_user_with_bad_input_is_422_naming_the_field(world, client_for, body, field):
    count = User.objects.count()
    response = post(client_for(world.admin), "/api/v1/users", body)
    assert response.status_code == 422 and field in errors_on(response)
    assert User.objects.count() == count


def test_crm_grants_a_site_role_on_their_study(world, client_for):
    url = f"/api/v1/users/{world.monitor.pk}/roles"
    response = post(client_for(world.crm), url, {"role": "monitor", "study_site_id": world.site_a2.pk})
    assert response.status_code == 201
    body = response.json()
    assert (body["role"], body["scope"], body["site_number"], body["user_id"]) == (
        "monitor",
        "site",
        "102",
        world.monitor.pk,
    )
    event = AuditEvent.objects.filter(action="roleassignment.created").latest("id")
    assert (event.actor_username, event.study_site_id) == ("crm_anna", world.site_a2.pk)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "conductor", "study_id": "A"}, "role"),
        ({"role": "monitor", "study_id": "A"}, "role"),
        ({"role": "monitor", "study_site_id": "A1"}, "role"),  # already held
        ({"role": "auditor", "study_id": "B"}, "study_id"),  # a study the CRM cannot see
        ({"role": "monitor", "study_id": "A", "study_site_id": "A2", "extra": 1}, "extra"),
    ],
)
def test_grant_with_bad_input_is_422_naming_the_field(world, client_for, body, field):
    ids = {"A": world.study_a.pk, "B": world.study_b.pk, "A1": world.site_a1.pk, "A2": world.site_a2.pk}
    body = {key: ids.get(value, value) if key != "role" else value for key, value in body.items()}
    count = RoleAssignment.objects.count()
    response = post(client_for(world.crm), f"/api/v1/users/{world.monitor.pk}/roles", body)
    assert response.status_code == 422 and field in errors_on(response), response.json()
    assert RoleAssignment.objects.count() == count


def test_grant_of_administrator_by_a_crm_is_403(world, client_for):
    response = post(
        client_for(world.crm), f"/api/v1/users/{world.monitor.pk}/roles", {"role": "administrator"}
    )
    assert response.status_code == 403


def test_grant_with_a_site_of_another_study_is_422(world, client_for):
    body = {"role": "monitor", "study_id": world.study_a.pk, "study_site_id": world.site_b1.pk}
    response = post(client_for(world.admin), f"/api/v1/users/{world.monitor.pk}/roles", body)
    assert response.status_code == 422 and "study_site_id" in errors_on(response)


def test_revoke_needs_a_reason_then_deletes_the_role(world, client_for):
    crm = client_for(world.crm)
    assignment = world.monitor.role_assignments.get()
    url = f"/api/v1/users/{world.monitor.pk}/roles/{assignment.pk}"
    response = crm.delete(url)
    assert response.status_code == 422 and errors_on(response) == {"reason"}
    assert crm.delete(url + "?reason=site+closed").status_code == 204
    assert client_for(world.admin).get(f"/api/v1/users/{world.monitor.pk}").json()["roles"] == []
    assert AuditEvent.objects.filter(action="roleassignment.revoked", reason="site closed").exists()


def test_revoke_of_someone_elses_role_through_the_wrong_user_is_404(world, client_for):
    assignment = world.auditor.role_assignments.get()
    url = f"/api/v1/users/{world.monitor.pk}/roles/{assignment.pk}?reason=x"
    with nothing_written():
        assert client_for(world.crm).delete(url).status_code == 404
    assert world.auditor.role_assignments.filter(pk=assignment.pk).exists()


def test_deactivate_and_reactivate_through_the_api(world, client_for):
    admin = client_for(world.admin)
    response = post(admin, f"/api/v1/users/{world.monitor.pk}/deactivate", {"reason": "left"})
    assert response.status_code == 200 and response.json()["is_active"] is False
    response = post(admin, f"/api/v1/users/{world.monitor.pk}/deactivate", {"reason": "left"})
    assert response.status_code == 422
    response = post(admin, f"/api/v1/users/{world.monitor.pk}/reactivate", {"reason": "back"})
    assert response.json()["is_active"] is True


def test_deactivate_by_a_crm_is_403_and_without_reason_422(world, client_for):
    url = f"/api/v1/users/{world.monitor.pk}/deactivate"
    assert post(client_for(world.crm), url, {"reason": "x"}).status_code == 403
    response = post(client_for(world.admin), url, {"reason": ""})
    assert response.status_code == 422 and errors_on(response) == {"reason"}
