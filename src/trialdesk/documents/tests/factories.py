"""Builders for the documents tests: small real files, staff at sites, documents filed through the service."""

import datetime as dt
import io
import zipfile

from trialdesk.core.models import User
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.documents import services
from trialdesk.documents.models import Document
from trialdesk.studies import services as study_services
from trialdesk.studies.models import ProtocolVersion

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf(text: str = "signed") -> bytes:
    """A distinct small PDF per text, so each upload has its own checksum."""
    return PDF + f"% {text}\n".encode()


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def approve(protocol_version: ProtocolVersion, *, by, on=dt.date(2025, 2, 1)) -> ProtocolVersion:
    for status in ("submitted", "approved", "effective"):
        protocol_version = study_services.change_protocol_status(
            protocol_version=protocol_version, to=status, on=on, by=by, reason=f"to {status}"
        )
    return protocol_version


def make_staff(site, username: str, role: str = Role.COORDINATOR, *, by) -> User:
    user = User.objects.create_user(username, f"{username}@example.org", "x", first_name=username.title())
    assign_role(user=user, role=role, study_site=site, by=by)
    return user


def file_pdf(
    study,
    *,
    by,
    artifact_number: str,
    level: str = "site",
    study_site=None,
    text: str = "doc",
    document_date=dt.date(2025, 1, 10),
    upload=None,
    **values,
) -> Document:
    upload = upload or services.Upload.from_bytes(f"{text}.pdf", pdf(text))
    return services.file_document(
        study=study,
        level=level,
        artifact_number=artifact_number,
        study_site=study_site,
        upload=upload,
        document_date=document_date,
        by=by,
        **values,
    )
