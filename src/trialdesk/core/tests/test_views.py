"""Core pages: signing in and out, and the user's own page with roles and API tokens."""

from django.urls import reverse

from tests.factories import PASSWORD
from trialdesk.core.models import ApiToken
from trialdesk.core.services import create_api_token, user_for_token
from trialdesk.core.services.sign_in import SIGN_IN_REFUSED


def test_sign_in_page_renders_for_anonymous(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_sign_in_right_password_goes_to_next(world, client):
    response = client.post(reverse("login"), {"username": "crm_anna", "password": PASSWORD, "next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.get(reverse("portfolio")).status_code == 200


def test_sign_in_foreign_next_goes_to_the_home_page(world, client):
    # Home sends each person on to my work or the portfolio (notifications' landing preference).
    form = {"username": "crm_anna", "password": PASSWORD, "next": "https://evil.example/"}
    assert client.post(reverse("login"), form)["Location"] == reverse("home")


def test_sign_in_wrong_password_shows_the_problem(world, client):
    response = client.post(reverse("login"), {"username": "crm_anna", "password": "wrong"})
    assert response.status_code == 200
    assert SIGN_IN_REFUSED in response.content.decode()


def test_sign_in_after_five_failures_refuses_with_the_same_words_and_the_page_tells_the_rule(world, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "crm_anna", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "crm_anna", "password": PASSWORD})
    body = response.content.decode()
    assert SIGN_IN_REFUSED in body
    assert "After 5 failed attempts an account is locked for 15 minutes." in body
    assert client.get(reverse("portfolio")).status_code == 302


def test_sign_out_by_post_ends_the_session(world, client_for):
    client = client_for(world.crm)
    assert "_auth_user_id" in client.session
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("portfolio")).status_code == 302


def test_sign_out_by_get_is_not_allowed(world, client_for):
    assert client_for(world.crm).get(reverse("logout")).status_code == 405


def test_base_layout_shows_name_roles_nav_and_csrf_header(world, client_for):
    body = client_for(world.crm).get(reverse("me")).content.decode()
    assert "Crm Anna" in body and "Clinical Research Manager" in body
    for link in ('href="/"', 'href="/institutions/"', 'href="/me/"', "Sign out"):
        assert link in body
    assert "X-CSRFToken" in body and "trialdesk/htmx.min.js" in body


def test_me_page_lists_role_assignments(world, client_for):
    body = client_for(world.monitor).get(reverse("me")).content.decode()
    assert "CRA / monitor" in body and "Site 101 of" in body and "ONC-A" in body


def test_me_anonymous_is_sent_to_sign_in(db, client):
    assert client.get(reverse("me"))["Location"] == "/login/?next=/me/"


def test_me_create_token_shows_it_once_and_it_works(world, client_for):
    client = client_for(world.crm)
    response = client.post(reverse("me"), {"name": "weekly export"})
    raw = response.context["new_token"]
    assert raw.startswith("td_") and raw in response.content.decode()
    assert user_for_token(raw) == world.crm
    assert raw not in client.get(reverse("me")).content.decode()


def test_me_create_token_without_name_shows_field_error(world, client_for):
    response = client_for(world.crm).post(reverse("me"), {"name": "  "})
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_me_revoke_token_stops_it_working(world, client_for):
    token, raw = create_api_token(user=world.crm, name="script", by=world.crm)
    url = reverse("api_token_revoke", kwargs={"token_id": token.pk})
    assert client_for(world.crm).post(url).status_code == 302
    assert user_for_token(raw) is None


def test_me_revoke_someone_elses_token_gets_404(world, client_for):
    token, raw = create_api_token(user=world.crm, name="script", by=world.crm)
    url = reverse("api_token_revoke", kwargs={"token_id": token.pk})
    assert client_for(world.auditor).post(url).status_code == 404
    assert client_for(world.auditor).get(url).status_code == 404
    assert user_for_token(raw) == world.crm


def test_not_found_page_uses_the_layout(world, client_for):
    response = client_for(world.crm).get("/studies/999999/")
    assert response.status_code == 404 and "Not found" in response.content.decode()


def test_forbidden_page_explains_nothing_changed(world, client_for):
    response = client_for(world.auditor).post(reverse("study_create"), {"code": "X"})
    assert response.status_code == 403 and "Nothing was changed" in response.content.decode()
