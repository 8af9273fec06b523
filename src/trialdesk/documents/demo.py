"""The documents part of the demo portfolio, loaded after studies, sites and participants exist.

For the pivotal study it files part of its expected-document list with small generated PDFs: the first
sites nearly complete, later ones less so, a few certificates expired or expiring, so completeness is
neither 0 nor 100%.
"""

import datetime as dt
import zlib

from trialdesk.core.demo import DemoContext
from trialdesk.core.models import User
from trialdesk.documents import selectors, services
from trialdesk.documents.rules import expectations
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

# One study keeps its TMF in Trialdesk (the others have not started to): ~60 files keep the demo quick.
DEMO_STUDIES = ("ONC-301",)
# Documents that expire, with how long they are valid.
VALIDITY_DAYS = {"05.03.03": 3 * 365, "08.01.01": 2 * 365, "08.01.04": 365}


def demo_pdf(title: str) -> bytes:
    """A one-page PDF showing `title` (with a valid cross-reference table, so viewers open it)."""
    text = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 14 Tf 72 720 Td (Trialdesk demo document) Tj 0 -24 Td ({text}) Tj ET".encode(
        "latin-1", "replace"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def load_demo(*, today: dt.date, users: dict, studies: tuple[str, ...] = DEMO_STUDIES) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    crm = users["crm"]
    for study in Study.objects.filter(code__in=studies).order_by("code"):
        if study.code == "ONC-301":
            services.save_tmf_profile(study=study, by=crm, us_ind=True, reason="Study runs under US IND")
        _file_demo_documents(study, today=today, by=crm)


def _file_demo_documents(study: Study, *, today: dt.date, by: User) -> None:
    rows = selectors.expected_documents_for(by, study)
    site_rank = {
        site.pk: rank
        for rank, site in enumerate(StudySite.objects.filter(study=study).order_by("site_number"))
    }
    versions = {v.number: v for v in ProtocolVersion.objects.filter(study=study)}
    sites = {s.pk: s for s in StudySite.objects.filter(study=study)}
    people = {u.pk: u for u in User.objects.filter(pk__in={r.expected.person_id for r in rows} - {None})}

    def stable_key(row) -> str:
        # Built from numbers and names, never primary keys: a reloaded demo (ids from 1 again, or not)
        # must file exactly the same documents.
        e = row.expected
        site = sites.get(e.study_site_id)
        person = people.get(e.person_id)
        return "|".join(
            (
                study.code,
                e.level,
                e.artifact_number,
                site.site_number if site else "",
                e.country or "",
                e.protocol_version or "",
                person.username if person else "",
            )
        )

    for index, row in enumerate(sorted(rows, key=stable_key)):
        e = row.expected
        # Later sites have filed less: leave out a growing share of their documents, deterministically.
        rank = site_rank.get(e.study_site_id, 0)
        if zlib.crc32(stable_key(row).encode()) % 10 < min(2 + rank, 9):
            continue
        document_date, expires_on = _dates(e.artifact_number, index, today)
        services.file_document(
            study=study,
            level=e.level,
            artifact_number=e.artifact_number,
            title=e.title,
            study_site=sites.get(e.study_site_id),
            country=e.country if e.level == expectations.COUNTRY else "",
            protocol_version=versions.get(e.protocol_version),
            person=people.get(e.person_id),
            upload=services.Upload.from_bytes(f"{e.artifact_number}-{index}.pdf", demo_pdf(e.title)),
            document_date=document_date,
            expires_on=expires_on,
            by=by,
            reason="Filed during the demo portfolio's start-up",
        )


def _dates(artifact_number: str, index: int, today: dt.date) -> tuple[dt.date, dt.date | None]:
    """A document date, and for expiring kinds an expiry: about one in six expired, one in six expiring."""
    validity = VALIDITY_DAYS.get(artifact_number)
    if validity is None:
        return today - dt.timedelta(days=200 + index % 300), None
    remaining = min((-15, 25, 200, 400, 500, 700)[index % 6], validity - 30)
    expires_on = today + dt.timedelta(days=remaining)
    return expires_on - dt.timedelta(days=validity), expires_on


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)
