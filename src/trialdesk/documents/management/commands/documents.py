"""`trialdesk documents verify|expected`: re-check stored files; list a study's expected documents.

`verify` re-computes the SHA-256 of every stored file and names each missing or altered one (exit 1);
`expected` prints the expected-document list with each document's state, as lines or JSON.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from trialdesk.core.models import User
from trialdesk.documents import selectors, storage
from trialdesk.documents.models import DocumentVersion
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


class Command(BaseCommand):
    help = "Verify the stored files of essential documents, or list a study's expected documents."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{verify,expected}")
        verify = actions.add_parser(
            "verify", help="re-compute each stored file's SHA-256; one line per missing or altered file"
        )
        verify.add_argument("--study", metavar="CODE", help="only this study's documents")
        expected = actions.add_parser("expected", help="the study's expected documents and their state")
        expected.add_argument("--study", required=True, metavar="CODE")
        expected.add_argument("--site", metavar="NUMBER", help="only this site (with trial and country)")
        expected.add_argument("--state", choices=("present", "expiring", "expired", "missing"))
        expected.add_argument("--json", action="store_true", help="print JSON instead of lines")

    def handle(self, *args, action: str, **options):
        if action == "verify":
            self.verify(options.get("study"))
        else:
            self.expected(options["study"], options.get("site"), options.get("state") or "", options["json"])

    def _study(self, code: str) -> Study:
        study = Study.objects.filter(code=code).first()
        if study is None:
            raise CommandError(f"No study has the protocol number {code!r}.")
        return study

    def verify(self, code: str | None) -> None:
        versions = DocumentVersion.objects.select_related("document__study").order_by("id")
        if code:
            versions = versions.filter(document__study=self._study(code))
        checked, bad = 0, 0
        for version in versions.iterator(chunk_size=500):
            checked += 1
            if problem := storage.problem_of(version.sha256, version.size):
                bad += 1
                document = version.document
                self.stderr.write(
                    f"{document.study.code} document {document.pk} version {version.number} "
                    f"({version.filename}, sha256 {version.sha256}): {problem}"
                )
        if bad:
            raise CommandError(f"{bad} of {checked} stored files missing or altered", returncode=1)
        self.stdout.write(f"all {checked} stored files match their checksums")

    def expected(self, code: str, site_number: str | None, state: str, as_json: bool) -> None:
        study = self._study(code)
        site = None
        if site_number:
            site = StudySite.objects.filter(study=study, site_number=site_number).first()
            if site is None:
                raise CommandError(f"{study.code} has no site {site_number!r}.")
        # The command line is an administrator's tool: it reads as the system, unscoped.
        reader = User(is_superuser=True, is_active=True)
        rows = selectors.expected_documents_for(reader, study, study_site=site, state=state)
        items = [
            {
                "level": row.expected.level,
                "country": row.expected.country,
                "site": row.site_number,
                "artifact": row.expected.artifact_number,
                "title": row.title,
                "state": row.state,
                "expires_on": row.expires_on.isoformat() if row.expires_on else None,
            }
            for row in rows
        ]
        if as_json:
            self.stdout.write(json.dumps({"study": study.code, "documents": items}, indent=1))
            return
        for item in items:
            where = f"site {item['site']}" if item["site"] else item["country"] or "trial"
            self.stdout.write(f"{item['state']:9s} {item['artifact']} {where:10s} {item['title']}")
