"""`trialdesk role grant|revoke|list`: who holds which role, from the command line."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from rich.table import Table

from trialdesk.core import services
from trialdesk.core.management.commands.token import find_user
from trialdesk.core.management.commands.user import describe_role, refusal
from trialdesk.core.management.rendering import print_rich
from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = (
        "Grant, revoke and list role assignments: Administrator for the whole installation, study roles "
        "with --study, site roles with --study and --site. Changes made here are recorded on the audit "
        "trail as done by 'system'."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{grant,revoke,list}")
        for name, what in (("grant", "give a person a role"), ("revoke", "take a role away")):
            change = actions.add_parser(name, help=what)
            change.add_argument("--user", required=True, metavar="USERNAME")
            change.add_argument("--role", required=True, choices=Role.values)
            change.add_argument("--study", metavar="CODE", help="the study's protocol number")
            change.add_argument("--site", metavar="NUMBER", help="the site number within --study")
            if name == "revoke":
                change.add_argument(
                    "--reason", required=True, help="why the role ends; kept on the audit trail"
                )
        listing = actions.add_parser("list", help="list role assignments")
        listing.add_argument("--user", metavar="USERNAME")
        listing.add_argument("--study", metavar="CODE")

    def handle(self, *args, action: str, **options):
        try:
            if action == "grant":
                self.grant(options)
            elif action == "revoke":
                self.revoke(options)
            else:
                self.list_roles(options.get("user"), options.get("study"))
        except (ValidationError, PermissionDenied) as error:
            raise refusal(error) from error

    def grant(self, options) -> None:
        user = find_user(options["user"])
        study, site = where(options.get("study"), options.get("site"))
        assignment = services.assign_role(
            user=user, role=options["role"], study=study, study_site=site, by=None
        )
        self.stdout.write(f"Granted: {user.username} is {describe_role(assignment)}.")

    def revoke(self, options) -> None:
        user = find_user(options["user"])
        study, site = where(options.get("study"), options.get("site"))
        assignment = (
            RoleAssignment.objects.filter(user=user, role=options["role"], study_site=site)
            .filter(study=study if site is None else site.study)
            .first()
        )
        if assignment is None:
            raise CommandError(f"{user.username} does not hold {options['role']} there.")
        services.revoke_role(assignment=assignment, by=None, reason=options["reason"])
        self.stdout.write(f"Revoked: {user.username} is no longer {describe_role(assignment)}.")

    def list_roles(self, username: str | None, code: str | None) -> None:
        assignments = RoleAssignment.objects.select_related("user", "study", "study_site").order_by(
            "user__username", "study__code", "study_site__site_number", "role"
        )
        if username:
            assignments = assignments.filter(user=find_user(username))
        if code:
            assignments = assignments.filter(study=find_study(code))
        table = Table(title="Role assignments")
        for column in ("id", "user", "role", "study", "site", "granted"):
            table.add_column(column)
        for a in assignments:
            table.add_row(
                str(a.pk),
                a.user.username,
                a.get_role_display(),
                a.study.code if a.study_id else "—",
                a.study_site.site_number if a.study_site_id else "—",
                f"{a.granted_at:%Y-%m-%d}",
            )
        print_rich(self.stdout, table)


def find_study(code: str) -> Study:
    study = Study.objects.filter(code=code).first()
    if study is None:
        raise CommandError(f"No study has the protocol number {code!r}.")
    return study


def where(code: str | None, number: str | None) -> tuple[Study | None, StudySite | None]:
    """The study and site named by --study and --site (a site number means nothing without its study)."""
    if number and not code:
        raise CommandError("--site needs --study: site numbers are unique only within a study.")
    study = find_study(code) if code else None
    if not number:
        return study, None
    site = StudySite.objects.filter(study=study, site_number=number).first()
    if site is None:
        raise CommandError(f"Study {study.code} has no site {number}.")
    return study, site
