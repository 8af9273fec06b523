"""Writes of the essential documents: filing a document, adding a version, downloading, the TMF profile.

Each checks permission, validates everything it can before a byte reaches the disk, then stores the file
and writes the records and their audit events in one transaction; when the records cannot be written,
the file it has just stored is removed again, so a refused upload leaves no orphan file.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from trialdesk.core import audit, records
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.documents import storage
from trialdesk.documents.models import Document, DocumentVersion, TmfProfile
from trialdesk.documents.permissions import ONLY_FILERS, ONLY_MANAGERS, can_file
from trialdesk.documents.rules import expectations, file_types
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

DOCUMENT_FIELDS = ("title",)
PROFILE_FIELDS = ("us_ind", "local_laboratories", "expiry_warning_days")


@dataclass(frozen=True)
class Upload:
    """A file as it arrives: its name and its content in chunks (Django's UploadedFile.chunks())."""

    filename: str
    chunks: Iterable[bytes]
    size: int | None = None  # when known in advance, an oversized file is refused before it is read

    @classmethod
    def of(cls, uploaded) -> "Upload":
        return cls(filename=uploaded.name or "", chunks=uploaded.chunks(), size=uploaded.size)

    @classmethod
    def from_bytes(cls, filename: str, content: bytes) -> "Upload":
        return cls(filename=filename, chunks=[content], size=len(content))


def file_document(
    *,
    study: Study,
    level: str,
    artifact_number: str,
    upload: Upload | None,
    document_date: dt.date | None,
    by: User,
    title: str = "",
    study_site: StudySite | None = None,
    country: str = "",
    protocol_version: ProtocolVersion | None = None,
    person: User | None = None,
    expires_on: dt.date | None = None,
    note: str = "",
    reason: str = "",
) -> Document:
    """File a new document against a TMF artifact, with its first version."""
    require(can_file(by, study_id=study.pk, study_site_id=study_site.pk if study_site else None), ONLY_FILERS)
    document = Document(
        study=study,
        level=level,
        artifact_number=(artifact_number or "").strip(),
        study_site=study_site,
        country=country,
        protocol_version=protocol_version,
        person=person,
        title=(title or "").strip() or "-",
    )
    errors = {}
    try:
        document.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if document.title == "-":
        document.title = expectations.default_title(
            level=level,
            artifact_number=document.artifact_number,
            version=protocol_version.number if protocol_version else "",
            person=(person.get_full_name() or person.username) if person else "",
        )
    version = DocumentVersion(
        document=document, number=1, document_date=document_date, expires_on=expires_on, note=note
    )
    # Every problem at once (where it is filed and the file itself), before anything reaches the disk.
    try:
        _check_version(version, upload)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    stored = storage.store(upload.chunks, filename=upload.filename)
    with _discard_on_failure(stored):
        with transaction.atomic():
            records.create_record(document, by=by, reason=reason or "filed")
            _save_version(version, document=document, stored=stored, upload=upload, by=by, reason=reason)
    return document


def add_version(
    *,
    document: Document,
    upload: Upload | None,
    document_date: dt.date | None,
    by: User,
    expires_on: dt.date | None = None,
    note: str = "",
    reason: str = "",
) -> DocumentVersion:
    """File a new version of a document; it supersedes the current one, which stays on file."""
    require(can_file(by, study_id=document.study_id, study_site_id=document.study_site_id), ONLY_FILERS)
    version = DocumentVersion(
        document=document, number=1, document_date=document_date, expires_on=expires_on, note=note
    )
    _check_version(version, upload)
    stored = storage.store(upload.chunks, filename=upload.filename)
    with _discard_on_failure(stored):
        with transaction.atomic():
            # Locking the document serialises concurrent uploads, so version numbers never collide.
            Document.objects.select_for_update().get(pk=document.pk)
            latest = document.versions.aggregate(latest=Max("number"))["latest"] or 0
            version.number = latest + 1
            _save_version(version, document=document, stored=stored, upload=upload, by=by, reason=reason)
    return version


def _check_version(version: DocumentVersion, upload: Upload | None) -> None:
    """Every check of a version that needs no file, so bad input is refused before anything is written."""
    errors = {}
    if upload is None or not upload.filename:
        errors["file"] = gettext("Choose the file to upload.")
    elif file_types.extension(upload.filename) not in file_types.FILE_TYPES:
        errors["file"] = file_types.file_type_problem(upload.filename, b"")
    elif upload.size is not None and upload.size > storage.max_bytes():
        errors["file"] = storage.too_large_message()
    try:
        version.sha256, version.size, version.filename, version.media_type = "0" * 64, 0, "-", "-"
        version.full_clean(exclude=["document", "uploaded_by"], validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def _save_version(version, *, document, stored: storage.StoredFile, upload: Upload, by, reason) -> None:
    version.document = document
    version.sha256 = stored.sha256
    version.size = stored.size
    version.media_type = stored.media_type
    version.filename = Path(upload.filename).name[:255]
    version.uploaded_by = by
    records.create_record(version, by=by, reason=reason or f"version {version.number} uploaded")


class _discard_on_failure:
    """Remove a newly stored file when the records that would refer to it are not written."""

    def __init__(self, stored: storage.StoredFile):
        self.stored = stored

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is not None and self.stored.created:
            if not DocumentVersion.objects.filter(sha256=self.stored.sha256).exists():
                storage.discard(self.stored.sha256)
        return False


def update_document(
    *, document: Document, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> Document:
    """Correct a document's title (its files are corrected by filing a new version)."""
    require(can_file(by, study_id=document.study_id, study_site_id=document.study_site_id), ONLY_FILERS)
    return records.update_record(
        document,
        changes=records.only_fields(changes, DOCUMENT_FIELDS),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


def open_for_download(*, version: DocumentVersion, by: User) -> BinaryIO:
    """The version's content (an open file to stream and close) once its checksum is verified, with the
    download on the audit trail.

    A missing or altered file raises storage.FileProblem; the refusal is audited too.
    """
    try:
        content = storage.verified_copy(version.sha256, version.size)
    except storage.FileProblem as problem:
        _audit_access(version, by=by, action="download_refused", reason=str(problem))
        raise
    try:
        _audit_access(version, by=by, action="downloaded", reason="downloaded")
    except BaseException:
        content.close()
        raise
    return content


def _audit_access(version: DocumentVersion, *, by: User, action: str, reason: str) -> None:
    with transaction.atomic():
        audit.record(
            target=version,
            action=f"documentversion.{action}",
            by=by,
            before=None,
            after=None,
            reason=reason,
            study_id=version.audit_study_id(),
            study_site_id=version.audit_study_site_id(),
        )


def save_tmf_profile(
    *, study: Study, by: User, reason: str = "", expected_version: int | None = None, **values
) -> TmfProfile:
    """Create or change the study's TMF profile (which documents its file must hold)."""
    require(can_manage_study(by, study.pk), ONLY_MANAGERS)
    values = records.only_fields(values, PROFILE_FIELDS)
    profile = TmfProfile.objects.filter(study=study).first()
    if profile is None:
        return records.create_record(TmfProfile(study=study, **values), by=by, reason=reason)
    return records.update_record(
        profile, changes=values, by=by, reason=reason, expected_version=expected_version
    )
