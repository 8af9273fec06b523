"""Signing in: Argon2 hashes, lockout after repeated failures (per account and per client), one answer for
every refusal, idle sessions ended."""

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_user
from trialdesk.core.models import AuditEvent, User
from trialdesk.core.services import sign_in
from trialdesk.core.services.sign_in import SIGN_IN_REFUSED, client_ip


def attempt(username, password):
    return sign_in(request=RequestFactory().post("/login/"), username=username, password=password)


@pytest.mark.real_password_hashing
def test_passwords_are_stored_with_argon2(db):
    user = make_user("hashed_hana")
    assert user.password.startswith("argon2$")


def test_correct_password_signs_in(db):
    user = make_user("nina")
    assert attempt("nina", PASSWORD).user == user


def test_five_failures_lock_the_account_for_fifteen_minutes(db, clock):
    user = make_user("nina")
    for _ in range(5):
        assert attempt("nina", "wrong").user is None
    result = attempt("nina", PASSWORD)
    assert result.user is None
    assert result.problem == SIGN_IN_REFUSED  # the same words as a wrong password: nothing told
    user.refresh_from_db()
    assert user.locked_until == timezone.now() + dt.timedelta(minutes=15)
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


# --- one answer whatever the reason -------------------------------------------------------------


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting how often a password is hashed (a check hashes it too)."""

    runs = 0

    def encode(self, password, salt):
        CountingHasher.runs += 1
        return super().encode(password, salt)


def _locked(username):
    user = make_user(username)
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=10))
    return user


@pytest.mark.parametrize(
    ("case", "username", "password"),
    [
        ("unknown username", "nobody", PASSWORD),
        ("wrong password", "nina", "not-her-password"),
        ("locked account, wrong password", "lena_locked", "not-her-password"),
        ("locked account, right password", "lena_locked", PASSWORD),
        ("deactivated account", "dora_deactivated", PASSWORD),
    ],
)
def test_every_refused_sign_in_gets_the_same_page_and_hashes_the_password_once(
    db, client, settings, case, username, password
):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    make_user("nina")
    _locked("lena_locked")
    User.objects.filter(pk=make_user("dora_deactivated").pk).update(is_active=False)
    CountingHasher.runs = 0

    response = client.post(reverse("login"), {"username": username, "password": password})

    assert response.status_code == 200, case
    assert response.context["problem"] == SIGN_IN_REFUSED, case
    assert "_auth_user_id" not in client.session, case
    # The same work for each: the answer's timing does not tell an unknown username or a lock either.
    assert CountingHasher.runs == 1, case


def test_a_locked_account_is_not_named_as_locked_on_the_page(db, client):
    _locked("lena_locked")

    def page(username):
        html = client.post(reverse("login"), {"username": username, "password": PASSWORD}).content.decode()
        return re.sub(r"[A-Za-z0-9]{64}", "CSRF-TOKEN", html).replace(f'value="{username}"', 'value="NAME"')

    assert page("lena_locked") == page("nobody")


# --- per-client limit (django-axes) ----------------------------------------------------------------


def post_sign_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def test_a_client_with_too_many_failures_is_refused_whatever_the_username(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = make_user("nina")
    assert post_sign_in(client, "nobody", "guess-1").status_code == 200
    assert post_sign_in(client, "someone", "guess-2").status_code == 200
    third = post_sign_in(client, "anyone", "guess-3")
    assert third.status_code == 429
    assert "Too many failed sign-ins from your network; try again in 15 minutes." in third.content.decode()

    refused = post_sign_in(client, "nina", PASSWORD)  # even the right password, before it is checked
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.failed_login_count == 0  # the refusal is the client's, not counted against her account

    assert post_sign_in(client, "nina", PASSWORD, address="198.51.100.20").status_code == 302


def test_the_client_limit_counts_failures_against_real_accounts_too_and_lifts_after_the_cool_off(
    db, client, settings, clock
):
    settings.AXES_FAILURE_LIMIT = 3
    make_user("nina")
    for guess in ("a-guess", "b-guess", "c-guess"):
        post_sign_in(client, "nina", guess)
    assert post_sign_in(client, "nina", PASSWORD).status_code == 429
    clock.advance(dt.timedelta(minutes=16))
    assert post_sign_in(client, "nina", PASSWORD).status_code == 302


def test_a_forwarded_address_is_ignored_unless_a_trusted_proxy_header_is_configured(db, client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.CLIENT_IP_HEADER = ""
    post_sign_in(client, "nobody", "x-guess", HTTP_X_FORWARDED_FOR="192.0.2.1")
    # A new claimed address every time does not make a new client.
    assert post_sign_in(client, "nobody", "y-guess", HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 429


def test_behind_a_configured_proxy_the_last_forwarded_address_is_the_client(rf, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    request = rf.post("/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.3")
    assert (
        client_ip(request) == "198.51.100.3"
    )  # the address the proxy saw; the first one is the client's claim
    assert client_ip(rf.post("/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="garbage")) == "10.0.0.5"
    assert client_ip(rf.post("/login/", REMOTE_ADDR="10.0.0.5")) == "10.0.0.5"
    settings.CLIENT_IP_HEADER = ""
    assert client_ip(request) == "10.0.0.5"
