"""The `trialdesk user` and `trialdesk role` commands, as an operator runs them."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.core.management.commands.user import Command as UserCommand
from trialdesk.core.models import AuditEvent, RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.people.management.commands.role import Command as RoleCommand


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_help_says_changes_are_recorded_as_system():
    assert "'system'" in UserCommand.help and "'system'" in RoleCommand.help


def test_user_create_prints_a_one_time_password_that_signs_in(world):
    out = run("user", "create", "--username", "nina_new", "--email", "n@example.org", "--first-name", "Nina")
    password = out.split("One-time password: ")[1].split()[0]
    nina = User.objects.get(username="nina_new")
    assert nina.check_password(password) and nina.first_name == "Nina"
    assert AuditEvent.objects.filter(action="user.created", actor_username="system").exists()


def test_user_create_admin_grants_the_administrator_role(world):
    assert "Administrator role" in run("user", "create", "--username", "root2", "--admin")
    assert User.objects.get(username="root2").role_assignments.get().role == Role.ADMINISTRATOR


def test_user_create_reads_the_password_from_stdin(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    out = run("user", "create", "--username", "piped", "--password-stdin")
    assert "One-time password" not in out
    assert User.objects.get(username="piped").check_password("a-long-enough-passphrase")


def test_user_create_with_a_taken_username_fails_naming_the_field(world):
    with pytest.raises(CommandError, match="username: Someone already has"):
        run("user", "create", "--username", "crm_anna")


def test_user_create_with_a_weak_password_fails(world, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="password:"):
        run("user", "create", "--username", "weak", "--password-stdin")
    assert not User.objects.filter(username="weak").exists()


def test_user_deactivate_and_reactivate_with_a_reason(world):
    assert "deactivated" in run("user", "deactivate", "--username", "monitor_mia", "--reason", "left the CRO")
    world.monitor.refresh_from_db()
    assert not world.monitor.is_active
    event = AuditEvent.objects.filter(action="user.deactivated").latest("id")
    assert (event.actor_username, event.reason) == ("system", "left the CRO")
    run("user", "reactivate", "--username", "monitor_mia", "--reason", "back")
    world.monitor.refresh_from_db()
    assert world.monitor.is_active


def test_user_deactivate_unknown_user_or_blank_reason_fails(world):
    with pytest.raises(CommandError, match="No user"):
        run("user", "deactivate", "--username", "ghost", "--reason", "x")
    with pytest.raises(CommandError, match="reason"):
        run("user", "deactivate", "--username", "monitor_mia", "--reason", " ")


def test_user_list_shows_accounts_and_roles(world):
    out = run("user", "list")
    assert "monitor_mia" in out and "outsider_otto" in out
    assert "CRA / monitor on ONC-A site 101" in out


def test_role_grant_on_a_site_and_revoke_with_a_reason(world):
    out = run(
        "role",
        "grant",
        "--user",
        "outsider_otto",
        "--role",
        "coordinator",
        "--study",
        "ONC-A",
        "--site",
        "102",
    )
    assert "Granted" in out
    assignment = world.outsider.role_assignments.get()
    assert assignment.study_site == world.site_a2
    event = AuditEvent.objects.filter(action="roleassignment.created").latest("id")
    assert (event.actor_username, event.study_id) == ("system", world.study_a.pk)
    args = ("--user", "outsider_otto", "--role", "coordinator", "--study", "ONC-A", "--site", "102")
    run("role", "revoke", *args, "--reason", "site closed")
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_role_grant_study_level_and_administrator(world):
    run("role", "grant", "--user", "outsider_otto", "--role", "auditor", "--study", "CARD-B")
    run("role", "grant", "--user", "outsider_otto", "--role", "administrator")
    assert {a.role for a in world.outsider.role_assignments.all()} == {"auditor", "administrator"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--role", "monitor", "--study", "ONC-A"), "role: CRA / monitor is granted per study site"),
        (("--role", "monitor", "--site", "101"), "--site needs --study"),
        (("--role", "monitor", "--study", "NOPE"), "No study has the protocol number"),
        (("--role", "monitor", "--study", "ONC-A", "--site", "999"), "has no site 999"),
    ],
)
def test_role_grant_with_bad_input_fails_and_saves_nothing(world, args, message):
    count = RoleAssignment.objects.count()
    with pytest.raises(CommandError, match=message):
        run("role", "grant", "--user", "outsider_otto", *args)
    assert RoleAssignment.objects.count() == count


def test_role_revoke_of_a_role_not_held_fails(world):
    with pytest.raises(CommandError, match="does not hold"):
        run(
            "role",
            "revoke",
            "--user",
            "outsider_otto",
            "--role",
            "auditor",
            "--study",
            "ONC-A",
            "--reason",
            "x",
        )


def test_role_list_filters_by_user_and_study(world):
    out = run("role", "list", "--study", "ONC-A")
    assert "monitor_mia" in out and "coordinator_carl" not in out
    out = run("role", "list", "--user", "coordinator_carl")
    assert "CARD-B" in out and "monitor_mia" not in out
