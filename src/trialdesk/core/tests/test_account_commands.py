"""No administrator off the audit trail: Django's `createsuperuser` and `changepassword` are refused and
name the audited commands; `trialdesk user reset-password` resets through the account service."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import PASSWORD
from trialdesk.core.models import AuditEvent, User


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    "arguments",
    [
        ("--username", "root", "--email", "root@example.org", "--noinput"),
        ("--username", "root", "--no-input"),
        ("--username", "root"),
        (),
    ],
)
def test_createsuperuser_creates_nobody_and_names_user_create_admin(db, monkeypatch, arguments):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "x")  # what Django's --noinput would have used
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=r"trialdesk user create --username NAME --admin"):
        run("createsuperuser", *arguments)
    assert not User.objects.exists()
    assert AuditEvent.objects.count() == events


def test_the_audited_way_refuses_a_one_character_password(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    with pytest.raises(CommandError, match="password:"):
        run("user", "create", "--username", "root", "--admin", "--password-stdin")
    assert not User.objects.exists()


def test_changepassword_changes_nothing_and_names_user_reset_password(world):
    with pytest.raises(CommandError, match=r"trialdesk user reset-password --username NAME"):
        run("changepassword", "crm_anna")
    world.crm.refresh_from_db()
    assert world.crm.check_password(PASSWORD)


def test_user_reset_password_prints_a_one_time_password_unlocks_and_is_audited(world, clock):
    User.objects.filter(pk=world.crm.pk).update(locked_until=clock.now(), failed_login_count=3)
    out = run("user", "reset-password", "--username", "crm_anna")
    password = out.split("One-time password: ")[1].split()[0]
    world.crm.refresh_from_db()
    assert world.crm.check_password(password)
    assert (world.crm.locked_until, world.crm.failed_login_count) == (None, 0)
    event = AuditEvent.objects.filter(action="user.password_reset").latest("id")
    assert event.actor_username == "system" and event.object_id == str(world.crm.pk)


def test_user_reset_password_from_stdin_keeps_the_password_rules(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678901234\n"))
    with pytest.raises(CommandError, match="password: This password is entirely numeric."):
        run("user", "reset-password", "--username", "crm_anna", "--password-stdin")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-fresh-long-passphrase\n"))
    assert "reset" in run("user", "reset-password", "--username", "crm_anna", "--password-stdin")
    world.crm.refresh_from_db()
    assert world.crm.check_password("a-fresh-long-passphrase")
