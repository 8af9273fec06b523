"""`trialdesk people reminders`: financial disclosures due or overdue, staff whose training is not
current, and delegations awaiting the investigator's signature, per study and site (for a daily job)."""

import json

from django.core.management.base import BaseCommand, CommandError

from trialdesk.people import selectors
from trialdesk.people.models import DelegationEntry
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


def study_reminders(study: Study) -> dict:
    """One study's reminders as plain data."""
    sites = list(StudySite.objects.filter(study=study).select_related("institution").order_by("site_number"))
    number_of = {site.pk: site.site_number for site in sites}
    disclosures = [
        {
            "site": row.site.site_number,
            "investigator": row.investigator.username,
            "occasion": due.occasion,
            "due_on": due.due_on.isoformat(),
            "status": due.status,
            "days_overdue": due.days_overdue,
            "basis": due.basis,  # "law", or "policy": Trialdesk's own date, not the regulation's
        }
        for row in selectors.disclosure_status_at(study, sites)
        for due in row.owed
        if due.status in ("due", "overdue")
    ]
    flags = selectors.training_flags_by_site(sites, study)
    training = [
        {"site": number_of[site_id], "staff_member": person.username, "missing": gaps}
        for site_id, found in flags.items()
        for person, gaps in found
    ]
    unsigned = DelegationEntry.objects.filter(study=study, signed_at__isnull=True).select_related(
        "staff_member", "study_site"
    )
    signatures = [
        {"site": e.study_site.site_number, "staff_member": e.staff_member.username, "tasks": e.tasks}
        for e in unsigned.order_by("study_site__site_number", "id")
    ]
    return {
        "study": study.code,
        "disclosures": sorted(disclosures, key=lambda d: (d["due_on"], d["site"])),
        "training": training,
        "awaiting_signature": signatures,
    }


class Command(BaseCommand):
    help = "Site staff reminders: disclosures due or overdue, training not current, unsigned delegations."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{reminders}")
        reminders = actions.add_parser("reminders", help="what each study's site staff must do now")
        reminders.add_argument("--study", metavar="CODE", help="one study's protocol number (default: all)")
        reminders.add_argument("--json", action="store_true", dest="as_json", help="print the report as JSON")

    def handle(self, *args, action: str, **options):
        studies = Study.objects.order_by("code")
        if options.get("study"):
            studies = studies.filter(code=options["study"])
            if not studies.exists():
                raise CommandError(f"No study has the protocol number {options['study']!r}.")
        report = {"studies": [study_reminders(study) for study in studies]}
        if options["as_json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        for study in report["studies"]:
            if not (study["disclosures"] or study["training"] or study["awaiting_signature"]):
                continue
            self.stdout.write(study["study"])
            for d in study["disclosures"]:
                late = f"overdue by {d['days_overdue']} days" if d["status"] == "overdue" else "due"
                policy = ", Trialdesk policy" if d["basis"] == "policy" else ""
                who = f"{d['investigator']} disclosure ({d['occasion']}{policy})"
                self.stdout.write(f"  site {d['site']}: {who} {late}, {d['due_on']}")
            for t in study["training"]:
                self.stdout.write(
                    f"  site {t['site']}: {t['staff_member']} training: {'; '.join(t['missing'])}"
                )
            for u in study["awaiting_signature"]:
                self.stdout.write(f"  site {u['site']}: delegation to {u['staff_member']} awaits signature")
