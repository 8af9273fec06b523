"""API operations on filed documents and their versions: upload, change, and audited downloads."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from trialdesk.core.apiutils import (
    FILE,
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    actor,
    answers_in,
    error_body,
    expected_version,
    page_schema,
    paginate,
    referenced,
    refuse_oversized_upload,
    set_etag,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.documents import selectors, services, storage
from trialdesk.documents.api.scope import _visible_site, _visible_study
from trialdesk.documents.models import Document, DocumentVersion
from trialdesk.documents.permissions import ONLY_FILERS, can_file, can_file_somewhere
from trialdesk.documents.schemas import (
    DocumentFilters,
    DocumentOut,
    DocumentPatch,
    DocumentUploadForm,
    DocumentVersionOut,
    VersionUploadForm,
)
from trialdesk.studies.models import ProtocolVersion, Study

router = Router(tags=["documents"])


# A stored file that is missing or altered is the server's problem, not the client's; 409 says the
# record and its file disagree, with the detail naming which.
DOWNLOAD_ERRORS = (*READ_ERRORS, 409)


# Documents and their versions ----------------------------------------------------------------------------


def _version_out(version: DocumentVersion, *, current: bool) -> dict:
    return {
        "id": version.pk,
        "document_id": version.document_id,
        "number": version.number,
        "sha256": version.sha256,
        "size": version.size,
        "filename": version.filename,
        "media_type": version.media_type,
        "document_date": version.document_date,
        "expires_on": version.expires_on,
        "uploaded_by": version.uploaded_by.username if version.uploaded_by else None,
        "uploaded_at": version.created_at,
        "note": version.note,
        "current": current,
        "download_url": reverse("api:download_document_file", kwargs={"document_version_id": version.pk}),
    }


def _document_out(document: Document) -> dict:
    versions = sorted(document.versions.all(), key=lambda v: v.number)
    item = document.artifact
    return {
        "id": document.pk,
        "study_id": document.study_id,
        "level": document.level,
        "country": document.country,
        "study_site_id": document.study_site_id,
        "artifact_number": document.artifact_number,
        "artifact_name": item.name if item else "",
        "title": document.title,
        "protocol_version_id": document.protocol_version_id,
        "protocol_version": document.protocol_version.number if document.protocol_version_id else None,
        "person_id": document.person_id,
        "version": document.version,
        "versions": [_version_out(v, current=v is versions[-1]) for v in versions],
    }


def _documents(request):
    return selectors.documents_for(actor(request)).prefetch_related("versions__uploaded_by")


@router.get(
    "/studies/{study_id}/documents", response=with_errors({200: page_schema(DocumentOut)}, READ_ERRORS)
)
def list_documents(request, study_id: int, filters: Query[DocumentFilters]):
    """The study's documents on file that the user may see, each with all its versions."""
    study = _visible_study(request, study_id)
    documents = _documents(request).filter(study=study)
    if filters.study_site_id is not None:
        documents = documents.filter(study_site_id=filters.study_site_id)
    if filters.level:
        documents = documents.filter(level=filters.level)
    if filters.artifact_number:
        documents = documents.filter(artifact_number=filters.artifact_number)
    page = paginate(documents, filters)
    page["items"] = [_document_out(d) for d in page["items"]]
    return page


def _person(study: Study, person_id: int | None) -> User | None:
    """Documents name staff of the study (anyone holding a role on it or one of its sites)."""
    if person_id is None:
        return None
    people = User.objects.filter(role_assignments__study=study) | User.objects.filter(
        role_assignments__study_site__study=study
    )
    return referenced(people.distinct(), person_id, field="person_id")


@router.post("/studies/{study_id}/documents", response=with_errors({201: DocumentOut}, (*WRITE_ERRORS, 413)))
def upload_document(request, study_id: int, form: Form[DocumentUploadForm], file: File[UploadedFile] = None):
    """File a document against a TMF artifact (multipart/form-data: the fields, and the file as `file`).

    Refused with the field named: an unknown artifact, a level the artifact is not filed at, a file over
    the size limit or of a type not accepted, an expiry before the document's date. Nothing is kept then.
    A file over the size limit (TRIALDESK_DOCUMENT_MAX_BYTES) answers 413.
    """
    refuse_oversized_upload(request, limit=storage.max_bytes(), message=lambda _: storage.too_large_message())
    user = actor(request)
    study = _visible_study(request, study_id)
    require(can_file_somewhere(user, study.pk), ONLY_FILERS)
    site = _visible_site(request, study, form.study_site_id)
    require(can_file(user, study_id=study.pk, study_site_id=site.pk if site else None), ONLY_FILERS)
    document = services.file_document(
        study=study,
        level=form.level,
        artifact_number=form.artifact_number,
        title=form.title,
        study_site=site,
        country=form.country,
        protocol_version=referenced(
            ProtocolVersion.objects.filter(study=study), form.protocol_version_id, field="protocol_version_id"
        ),
        person=_person(study, form.person_id),
        upload=services.Upload.of(file) if file is not None else None,
        document_date=form.document_date,
        expires_on=form.expires_on,
        note=form.note,
        reason=form.reason,
        by=user,
    )
    return Status(201, _document_out(_documents(request).get(pk=document.pk)))


@router.get("/documents/{document_id}", response=with_errors({200: DocumentOut}, READ_ERRORS))
def get_document(request, document_id: int, response: HttpResponse):
    """A document's metadata with every version, the current one last."""
    document = get_object_or_404(_documents(request), pk=document_id)
    set_etag(response, document)
    return _document_out(document)


@router.patch("/documents/{document_id}", response=with_errors({200: DocumentOut}, WRITE_ERRORS))
def update_document(
    request, document_id: int, payload: DocumentPatch, response: HttpResponse, if_match: IfMatch = None
):
    """Correct a document's title; its files are corrected by uploading a new version."""
    document = get_object_or_404(_documents(request), pk=document_id)
    require(
        can_file(actor(request), study_id=document.study_id, study_site_id=document.study_site_id),
        ONLY_FILERS,
    )
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "version"})
    document = services.update_document(
        document=document,
        changes=changes,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, document)
    return _document_out(_documents(request).get(pk=document.pk))


@router.post(
    "/documents/{document_id}/versions",
    response=with_errors({201: DocumentVersionOut}, (*WRITE_ERRORS, 413)),
)
def upload_document_version(
    request, document_id: int, form: Form[VersionUploadForm], file: File[UploadedFile] = None
):
    """Upload a new version (multipart/form-data); it supersedes the current one, which stays on file.
    A file over the size limit (TRIALDESK_DOCUMENT_MAX_BYTES) answers 413."""
    refuse_oversized_upload(request, limit=storage.max_bytes(), message=lambda _: storage.too_large_message())
    document = get_object_or_404(_documents(request), pk=document_id)
    require(
        can_file(actor(request), study_id=document.study_id, study_site_id=document.study_site_id),
        ONLY_FILERS,
    )
    version = services.add_version(
        document=document,
        upload=services.Upload.of(file) if file is not None else None,
        document_date=form.document_date,
        expires_on=form.expires_on,
        note=form.note,
        reason=form.reason,
        by=actor(request),
    )
    return Status(201, _version_out(version, current=True))


def _visible_version(request, document_version_id: int) -> DocumentVersion:
    return get_object_or_404(selectors.versions_for(actor(request)), pk=document_version_id)


@router.get(
    "/document-versions/{document_version_id}", response=with_errors({200: DocumentVersionOut}, READ_ERRORS)
)
def get_document_version(request, document_version_id: int):
    """One version's metadata: checksum, size, type, dates, who uploaded it."""
    version = _visible_version(request, document_version_id)
    latest = version.document.versions.order_by("-number").values_list("number", flat=True).first()
    return _version_out(version, current=version.number == latest)


@router.get(
    "/document-files/{document_version_id}",
    response=with_errors({200: None}, DOWNLOAD_ERRORS),
    url_name="download_document_file",
    openapi_extra=answers_in({"*/*": FILE}),
)
def download_document_file(request, document_version_id: int):
    """The version's file, after its checksum is verified; the download is on the audit trail.

    A missing or altered file is not served: 409 with the detail saying which.
    """
    version = _visible_version(request, document_version_id)
    try:
        content = services.open_for_download(version=version, by=actor(request))
    except storage.FileProblem as problem:
        return Status(409, error_body(str(problem)))
    response = FileResponse(content, as_attachment=True, filename=version.filename)
    response["Content-Type"] = version.media_type
    response["X-Content-SHA256"] = version.sha256
    return response
