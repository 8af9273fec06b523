"""`trialdesk user create|reset-password|deactivate|reactivate|list`: accounts from the command line."""

import sys

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from trialdesk.core import services
from trialdesk.core.management.commands.token import find_user
from trialdesk.core.management.rendering import print_rich
from trialdesk.core.models import User


def refusal(error: ValidationError | PermissionDenied) -> CommandError:
    """A service's refusal as the command's error message, naming the fields at fault."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        parts = [f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items()]
        return CommandError("; ".join(parts))
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    return CommandError(" ".join(messages))


class Command(BaseCommand):
    help = (
        "Open, deactivate, reactivate and list accounts. Accounts are never deleted. "
        "Changes made here are recorded on the audit trail as done by 'system'."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{create,reset-password,deactivate,reactivate,list}"
        )
        create = actions.add_parser("create", help="open an account; prints a one-time password")
        create.add_argument("--username", required=True)
        create.add_argument("--email", default="")
        create.add_argument("--first-name", default="", dest="first_name")
        create.add_argument("--last-name", default="", dest="last_name")
        create.add_argument("--admin", action="store_true", help="grant the Administrator role")
        create.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from standard input instead of generating a one-time password",
        )
        reset = actions.add_parser(
            "reset-password", help="give a person a new password (prints a one-time password); unlocks them"
        )
        reset.add_argument("--username", required=True)
        reset.add_argument(
            "--password-stdin", action="store_true", help="read the new password from standard input"
        )
        for name, what in (
            ("deactivate", "stop a person signing in"),
            ("reactivate", "let them sign in again"),
        ):
            change = actions.add_parser(name, help=what)
            change.add_argument("--username", required=True)
            change.add_argument("--reason", required=True, help="why; kept on the audit trail")
        listing = actions.add_parser("list", help="list accounts with their roles")
        listing.add_argument("--active", action="store_true", help="only active accounts")

    def handle(self, *args, action: str, **options):
        try:
            if action == "create":
                self.create(options)
            elif action == "reset-password":
                self.reset_password(options)
            elif action == "list":
                self.list_users(active_only=options["active"])
            else:
                self.change_status(action, options["username"], options["reason"])
        except (ValidationError, PermissionDenied) as error:
            raise refusal(error) from error

    def create(self, options) -> None:
        password = password_from_stdin(options)
        user, one_time = services.create_user(
            username=options["username"],
            email=options["email"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            password=password,
            administrator=options["admin"],
            by=None,
        )
        role = " with the Administrator role" if options["admin"] else ""
        self.stdout.write(f"Account {user.username} (id {user.pk}) created{role}.")
        self.show_one_time(one_time)

    def reset_password(self, options) -> None:
        password = password_from_stdin(options)
        user = find_user(options["username"])
        one_time = services.reset_password(user=user, by=None, password=password)
        self.stdout.write(f"Password of {user.username} reset; the account is unlocked.")
        self.show_one_time(one_time)

    def show_one_time(self, one_time: str) -> None:
        if one_time:
            self.stdout.write(f"One-time password: {one_time}")
            self.stdout.write(
                "Give it to the person now: it is stored only as a hash and cannot be shown again."
            )

    def change_status(self, action: str, username: str, reason: str) -> None:
        user = find_user(username)
        change = services.deactivate_user if action == "deactivate" else services.reactivate_user
        change(user=user, by=None, reason=reason)
        self.stdout.write(f"Account {user.username} {action}d.")

    def list_users(self, *, active_only: bool) -> None:
        people = User.objects.prefetch_related("role_assignments__study", "role_assignments__study_site")
        if active_only:
            people = people.filter(is_active=True)
        table = Table(title="Accounts")
        for column in ("username", "name", "e-mail", "account", "roles"):
            table.add_column(column)
        for user in people.order_by("username"):
            roles = [describe_role(a) for a in user.role_assignments.all()]
            if user.is_superuser:
                roles.insert(0, "Administrator (superuser)")
            table.add_row(
                user.username,
                user.get_full_name(),
                user.email,
                "active" if user.is_active else "deactivated",
                "; ".join(roles) or "—",
            )
        print_rich(self.stdout, table)


def password_from_stdin(options) -> str:
    """The password given on standard input with --password-stdin, else "" (a one-time one is made)."""
    if not options["password_stdin"]:
        return ""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("--password-stdin: no password on standard input.")
    return password


def describe_role(assignment) -> str:
    """`CRA / monitor on ONC-A site 101`, `Clinical Research Manager on ONC-A`, `Administrator`."""
    if assignment.study_site_id:
        site = assignment.study_site
        return f"{assignment.get_role_display()} on {assignment.study.code} site {site.site_number}"
    if assignment.study_id:
        return f"{assignment.get_role_display()} on {assignment.study.code}"
    return assignment.get_role_display()
