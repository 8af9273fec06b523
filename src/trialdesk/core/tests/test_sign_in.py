"""Signing in: Argon2 hashes, lockout after repeated failures, idle sessions ended."""

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from trialdesk.core.models import AuditEvent, User
from trialdesk.core.services import sign_in


def attempt(username, password):
    return sign_in(request=RequestFactory().post("/login/"), username=username, password=password)


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2(db):
    user = make_user("hashed_hana")
    assert user.password.startswith("argon2$")


def test_correct_password_signs_in(db):
    user = make_user("nina")
    assert attempt("nina", PASSWORD).user == user


def test_five_failures_lock_the_account_for_fifteen_minutes(db):
    make_user("nina")
    for _ in range(5):
        assert attempt("nina", "wrong").user is None
    result = attempt("nina", PASSWORD)
    assert result.user is None
    assert "locked" in result.problem and "15 minutes" in result.problem
    assert AuditEvent.objects.filter(action="user.locked").count() == 1


def test_lock_expires_after_fifteen_minutes(db):
    user = make_user("nina")
    for _ in range(5):
        attempt("nina", "wrong")
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert attempt("nina", PASSWORD).user == user


def test_success_resets_the_failure_count(db):
    make_user("nina")
    for _ in range(4):
        attempt("nina", "wrong")
    attempt("nina", PASSWORD)
    for _ in range(4):
        attempt("nina", "wrong")
    assert attempt("nina", PASSWORD).user is not None


def test_unknown_user_gets_the_same_message_as_a_wrong_password(db):
    make_user("nina")
    assert attempt("nobody", "x").problem == attempt("nina", "x").problem


def test_idle_session_is_ended(world, client, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(world.crm)
    assert client.get("/api/v1/me").status_code == 200
    session = client.session
    session["trialdesk_last_seen"] = session["trialdesk_last_seen"] - 31 * 60
    session.save()
    assert client.get("/api/v1/me").status_code == 401


def test_idle_htmx_request_is_sent_to_the_sign_in_page(world, client):
    client.force_login(world.crm)
    client.get("/")
    session = client.session
    session["trialdesk_last_seen"] = session["trialdesk_last_seen"] - 31 * 60
    session.save()
    response = client.get("/", headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith("/login/")


def test_idle_page_request_goes_to_sign_in_with_a_message(world, client):
    client.force_login(world.crm)
    client.get("/")
    session = client.session
    session["trialdesk_last_seen"] = session["trialdesk_last_seen"] - 31 * 60
    session.save()
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "inactivity" in response.content.decode()


def test_activity_mark_is_refreshed_at_most_once_a_minute(world, client):
    client.force_login(world.crm)
    client.get("/api/v1/me")
    first = client.session["trialdesk_last_seen"]
    client.get("/api/v1/me")
    assert client.session["trialdesk_last_seen"] == first
    session = client.session
    session["trialdesk_last_seen"] = first - 61
    session.save()
    client.get("/api/v1/me")
    assert client.session["trialdesk_last_seen"] > first - 61
