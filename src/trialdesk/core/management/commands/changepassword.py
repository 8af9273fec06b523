"""`trialdesk changepassword` is refused, naming `trialdesk user reset-password`.

Django's own command would change a password off the audit trail; `user reset-password` goes through the
account service (audited, password rules, and it unlocks a locked account).
"""

from django.core.management.base import BaseCommand, CommandError

INSTEAD = (
    "trialdesk changepassword is not available: use `trialdesk user reset-password --username NAME` "
    "(add --password-stdin to give the password; otherwise a one-time password is printed). "
    "It is recorded on the audit trail."
)


class Command(BaseCommand):
    help = "Refused; use `trialdesk user reset-password --username NAME` (audited, with the password rules)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?")
        parser.add_argument("--database")

    def handle(self, *args, **options):
        raise CommandError(INSTEAD)
