"""`trialdesk token create|list|revoke`: personal API tokens from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.table import Table

from trialdesk.core import services
from trialdesk.core.management.rendering import print_rich
from trialdesk.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens. Tokens made here are audited as done by 'system'."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = actions.add_parser("create", help="create a token and print it once")
        create.add_argument("--user", required=True, metavar="USERNAME")
        create.add_argument("--name", default="", help="what the token is for (default: 'command line')")
        listing = actions.add_parser("list", help="list a user's tokens (never the tokens themselves)")
        listing.add_argument("--user", required=True, metavar="USERNAME")
        revoke = actions.add_parser("revoke", help="revoke a token so it no longer authenticates")
        revoke.add_argument("--id", required=True, type=int, dest="token_id", metavar="N")

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create_token(options["user"], options["name"])
        elif action == "list":
            self.list_tokens(options["user"])
        else:
            self.revoke_token(options["token_id"])

    def create_token(self, username: str, name: str) -> None:
        user = find_user(username)
        name = name.strip() or f"command line {timezone.now():%Y-%m-%d}"
        try:
            # No person signs in on the command line: the audit trail records the change as 'system'.
            token, raw = services.create_api_token(user=user, name=name, by=None)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"API token {token.pk} '{token.name}' for {user.username}:")
        self.stdout.write(raw)
        self.stdout.write("Copy it now: it is stored only as a hash and cannot be shown again.")

    def list_tokens(self, username: str) -> None:
        user = find_user(username)
        table = Table(title=f"API tokens of {user.username}")
        for column in ("id", "name", "starts with", "created", "last used", "status"):
            table.add_column(column)
        for token in ApiToken.objects.filter(user=user).order_by("created_at", "id"):
            table.add_row(
                str(token.pk),
                token.name,
                f"{token.prefix}…",
                f"{token.created_at:%Y-%m-%d %H:%M}",
                f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                "active" if token.is_active else f"revoked {token.revoked_at:%Y-%m-%d}",
            )
        print_rich(self.stdout, table)

    def revoke_token(self, token_id: int) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No API token has the id {token_id}.")
        was_active = token.is_active
        services.revoke_api_token(token=token, by=None)
        state = "revoked" if was_active else "was already revoked"
        self.stdout.write(f"API token {token.pk} '{token.name}' of {token.user.username} {state}.")


def find_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user is called {username!r}.")
    return user
