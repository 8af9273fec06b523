"""`trialdesk createsuperuser` is refused, naming the command that opens an administrator's account.

Django's own command would create an administrator off the audit trail, and with `--noinput` without the
password rules. `trialdesk user create --username NAME --admin` records the account and the role on the
audit trail and either prints a one-time password or checks the one read with --password-stdin.
"""

from django.core.management.base import BaseCommand, CommandError

INSTEAD = (
    "trialdesk createsuperuser is not available: use `trialdesk user create --username NAME --admin` "
    "(add --password-stdin to give the password; otherwise a one-time password is printed). "
    "It records the account and its Administrator role on the audit trail."
)


class Command(BaseCommand):
    help = "Refused; use `trialdesk user create --username NAME --admin` (audited, with the password rules)."

    def add_arguments(self, parser):
        # Django's options are accepted so that a script using them gets this explanation, not a usage error.
        parser.add_argument("--username")
        parser.add_argument("--email")
        parser.add_argument("--noinput", "--no-input", action="store_false", dest="interactive")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(INSTEAD)
