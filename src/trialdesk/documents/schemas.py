"""Schemas of the documents API: the TMF Reference Model, expected documents, documents and versions."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, PlainTextSchema, RecordVersion, required_reason
from trialdesk.documents.models import Level

REASON_FOR_CHANGE = "Why the record changes; kept on the audit trail."
RECORD_VERSION = "The `version` you read (or send `If-Match` with the ETag); a stale one answers 409."


class ArtifactOut(Schema):
    number: str
    name: str
    zone_number: str
    zone_name: str
    section_number: str
    section_name: str
    core: bool
    levels: list[str] = Field(description="The TMF levels (trial, country, site) the artifact is filed at.")
    ich_code: str
    definition: str


class ArtifactFilters(PageQuery):
    level: Level | None = Field(None, description="Only artifacts filed at this level.")
    search: str = Field("", max_length=100, description="Part of the artifact's number or name.")


class ExpectedFilters(PageQuery):
    study_site_id: int | None = Field(
        None, description="Only this site's documents (with the trial's and its country's)."
    )
    level: Level | None = None
    state: str | None = Field(None, pattern="^(present|expiring|expired|missing)$")
    within_days: int | None = Field(
        None,
        ge=0,
        le=730,
        description="Count as expiring what expires within this many days (default: the study's).",
    )


class ExpectedDocumentOut(Schema):
    level: str
    artifact_number: str
    artifact_name: str
    title: str
    country: str
    study_site_id: int | None
    site_number: str
    protocol_version: str
    person_id: int | None
    milestone: str = Field(description="The TMF Reference Model milestone by which the document is expected.")
    citation: str
    state: str = Field(description="present, expiring, expired or missing.")
    document_id: int | None
    expires_on: dt.date | None


class CompletenessFilters(PageQuery):
    study_site_id: int | None = None


class CompletenessOut(Schema):
    label: str
    level: str = Field(description="study, trial, country or site.")
    study_site_id: int | None
    on_file: int = Field(description="Expected documents on file and in date.")
    expected: int
    percent: int
    missing: int
    expiring: int
    expired: int


class DocumentFilters(PageQuery):
    study_site_id: int | None = None
    level: Level | None = None
    artifact_number: str = Field("", max_length=8)


class DocumentVersionOut(Schema):
    id: int
    document_id: int
    number: int
    sha256: str
    size: int
    filename: str
    media_type: str
    document_date: dt.date
    expires_on: dt.date | None
    uploaded_by: str | None
    uploaded_at: dt.datetime
    note: str
    current: bool = Field(
        description="Whether this is the document's current version (later ones supersede)."
    )
    download_url: str


class DocumentOut(Schema):
    id: int
    study_id: int
    level: str
    country: str
    study_site_id: int | None
    artifact_number: str
    artifact_name: str
    title: str
    protocol_version_id: int | None
    protocol_version: str | None
    person_id: int | None
    version: int = Field(description="The record's version, for changes (not a file version).")
    versions: list[DocumentVersionOut]


class DocumentUploadForm(PlainTextSchema):
    """The form fields of an upload (multipart/form-data, with the file as `file`)."""

    level: str = Field("", description="trial, country or site.")
    artifact_number: str = Field("", description="The TMF Reference Model artifact, e.g. 04.01.02.")
    title: str = Field("", max_length=300, description="Defaults to the expected document's title.")
    study_site_id: int | None = None
    country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2; for country-level documents.")
    protocol_version_id: int | None = None
    person_id: int | None = Field(None, description="The staff member a CV or certificate belongs to.")
    document_date: dt.date | None = Field(None, description="The date the document bears.")
    expires_on: dt.date | None = None
    note: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class VersionUploadForm(PlainTextSchema):
    """The form fields of a new version (multipart/form-data, with the file as `file`)."""

    document_date: dt.date | None = None
    expires_on: dt.date | None = None
    note: str = ""
    reason: str = Field("", description=REASON_FOR_CHANGE)


class DocumentPatch(InSchema):
    title: str | None = Field(None, max_length=300)
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(None, description=RECORD_VERSION)


class TmfProfileOut(Schema):
    study_id: int
    us_ind: bool
    local_laboratories: bool
    expiry_warning_days: int
    version: int = Field(description="0 while the study keeps the defaults.")


class TmfProfilePatch(InSchema):
    us_ind: bool | None = None
    local_laboratories: bool | None = None
    expiry_warning_days: int | None = Field(None, ge=1, le=730)
    reason: str = required_reason(REASON_FOR_CHANGE)
    version: RecordVersion | None = Field(
        None, description=RECORD_VERSION + " Leave out while there is none."
    )
