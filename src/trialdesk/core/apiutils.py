"""Shared pieces of the JSON API: error bodies, pagination, record versions and id references."""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Schema
from pydantic import ConfigDict, ValidationInfo, create_model, field_validator

from trialdesk.core import strict_input
from trialdesk.core.models import User
from trialdesk.core.permissions import can_see_subject_level

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Integers a client may send are kept inside what every supported database column can hold,
# so an absurd number is a 422 naming the field rather than an overflow deep in the driver.
LARGEST_INTEGER = 2**31 - 1
Quantity = Annotated[int, Field(ge=0, le=LARGEST_INTEGER)]
RecordVersion = Annotated[int, Field(ge=1, le=LARGEST_INTEGER)]

# The API names a reference by its id; the models and services name the relation itself.
API_FIELD_NAMES = {"program": "program_id", "institution": "institution_id", "study_site": "study_site_id"}

# The error answers each kind of operation documents (the body is always ErrorOut).
READ_ERRORS = (401, 404, 422)
CREATE_ERRORS = (400, 401, 403, 409, 422)  # a new top-level record: nothing to be missing
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)
# The `openapi_extra` of a POST that computes and stores nothing (a what-if forecast): read-only roles may
# call it; the every-route scoping test expects them an answer free of subject data instead of a 403.
WRITES_NOTHING = {"x-writes-nothing": True}
# A list of subject-level records (participants and what hangs off them): a role that may not read them
# (roles.SUBJECT_BLIND_ROLES) gets a 403 saying the list is hidden, never an empty page whose `count: 0`
# would read as "none" (hidden is not zero). The every-route scoping test expects exactly that.
SUBJECT_LEVEL = {"x-subject-level": True}
SUBJECT_LEVEL_READ_ERRORS = (401, 403, 404, 422)


# A reason the service requires (core.records.require_reason): the document says so, and a missing or
# blank one is refused before the service runs, with the service's own words.
REASON_REQUIRED = "A reason for change is required."
NOT_BLANK = r"\S"


def required_reason(description: str) -> Any:
    """The `reason` field of an input the service refuses without a reason."""
    return Field(pattern=NOT_BLANK, description=f"Required. {description}")


class FieldError(Schema):
    field: str | None = Field(description="The input field at fault; null when the record as a whole is.")
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[FieldError] = []


def with_errors(responses: Mapping[int, Any], codes: tuple[int, ...]) -> dict[int, Any]:
    """An operation's `response=` mapping: its success schema(s) plus the error body for each code."""
    return {**responses, **{code: ErrorOut for code in codes}}


def answers_in(media_types: Mapping[str, dict], *, status: int = 200) -> dict:
    """An operation's `openapi_extra` documenting the media types it answers `status` in besides (or,
    with `response={status: None}`, instead of) JSON: a CSV or Excel file, FHIR JSON, a stored file."""
    return {
        "responses": {status: {"content": {name: {"schema": schema} for name, schema in media_types.items()}}}
    }


FILE = {"type": "string", "format": "binary"}
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadTooLarge(Exception):
    """An upload over its size limit: the API answers 413 naming the field, before the service runs."""

    def __init__(self, message: str, *, field: str = "file"):
        super().__init__(message)
        self.field = field


# Room for the multipart framing and the other fields around the file in the declared Content-Length.
UPLOAD_FRAMING = 64 * 1024


def refuse_oversized_upload(request: HttpRequest, *, limit: int, message, field: str = "file") -> None:
    """Raise UploadTooLarge when the request declares more than `limit` bytes (plus framing), or its file
    `field` is larger than `limit`. `message(size)` says so in words."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + UPLOAD_FRAMING:
        raise UploadTooLarge(message(declared), field=field)
    upload = request.FILES.get(field)
    if upload is not None and upload.size is not None and upload.size > limit:
        raise UploadTooLarge(message(upload.size), field=field)


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


class PlainTextSchema(Schema):
    """Input as text (a query string, form fields, or a JSON body's strings): no NUL character, no lone
    surrogate, at most TEXT_LIMIT characters unless the field says otherwise, and dates and date-times
    written the ISO 8601 way."""

    model_config = ConfigDict(json_schema_extra=strict_input.document_text_limits)

    @field_validator("*", mode="before")
    @classmethod
    def _plain_text(cls, value, info: ValidationInfo):
        field = cls.model_fields[info.field_name]
        problem = strict_input.text_problem(value, limit=strict_input.declared_max_length(field))
        problem = problem or strict_input.iso_problem(field.annotation, value)
        if problem:
            raise ValueError(problem)
        return value


class InSchema(PlainTextSchema):
    """Base of every JSON input body: unknown fields are refused, and each value must have its field's
    JSON type (a date is an ISO date string, never a number; a whole number is never true or false)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _json_types(cls, value, info: ValidationInfo):
        problem = strict_input.json_type_problem(cls.model_fields[info.field_name].annotation, value)
        if problem:
            raise ValueError(problem)
        return value


class PageQuery(PlainTextSchema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="How many items to return.")
    offset: int = Field(0, ge=0, le=LARGEST_INTEGER, description="How many items to skip.")


class DeleteQuery(PlainTextSchema):
    reason: str = required_reason("Why the record is deleted; kept on the audit trail.")
    version: RecordVersion | None = Field(None, description="The `version` you read (or send `If-Match`).")


IfMatch = Header[str | None, {"alias": "If-Match", "description": 'The ETag read with the record, e.g. "3".'}]


def page_schema(item: type[Schema]) -> type[Schema]:
    """The paginated list schema for `item`: {count, limit, offset, items}."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        count=(int, ...),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


def paginate(queryset: QuerySet, page: PageQuery) -> dict:
    """One page of `queryset` (two queries: the count and the page)."""
    return {
        "count": queryset.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(queryset[page.offset : page.offset + page.limit]),
    }


def require_subject_level(request: HttpRequest, study_id: int, what: str) -> None:
    """Refuse a subject-level list to a role that may not see it, saying it is hidden (see SUBJECT_LEVEL)."""
    if not can_see_subject_level(actor(request), study_id):
        raise PermissionDenied(
            f"Hidden: {what} are subject-level records, which your role on this study does not see."
        )


def actor(request: HttpRequest) -> User:
    """The user the request acts for, whether signed in by session or by API token."""
    return request.auth


def set_etag(response: HttpResponse, record: Model) -> None:
    response["ETag"] = f'"{record.version}"'


def expected_version(version: int | None, if_match: str | None) -> int:
    """The record version the client last read: the `version` field, else the If-Match header.

    Without one an update could silently overwrite a change the client never saw, so it is required.
    """
    if version is not None:
        return version
    if if_match:
        tag = if_match.strip().removeprefix("W/").strip('"')
        if tag.isdigit():
            return int(tag)
        raise ValidationError({"version": 'If-Match must be the ETag the record was read with, e.g. "3".'})
    raise ValidationError(
        {"version": "Send the version you read: a `version` field, or an If-Match header with the ETag."}
    )


def referenced(queryset: QuerySet, pk: int | None, *, field: str) -> Model | None:
    """The record a body field refers to by id, looked up among those the user may see."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        noun = queryset.model._meta.verbose_name
        raise ValidationError({field: f"There is no {noun} with id {pk} that you can see."})
    return found


def model_values(payload: Schema, *, references: Mapping[str, tuple[str, QuerySet]] = ()) -> dict:
    """The fields a client set in `payload`, as model field values for a service.

    `references` maps an id field of the body to the model relation and the visible records it may
    point at, e.g. ``{"program_id": ("program", programs_for(user))}``. `reason` and `version`
    are not record fields and are left out.
    """
    values = payload.model_dump(exclude_unset=True, exclude={"reason", "version"})
    for body_field, (relation, queryset) in dict(references).items():
        if body_field in values:
            values[relation] = referenced(queryset, values.pop(body_field), field=body_field)
    return values


@contextmanager
def fields_named(names: Mapping[str, str]) -> Iterator[None]:
    """Re-key a service's field errors to the names the request used (e.g. `status` -> `to`)."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in error.error_dict.items()}) from error


def validation_errors(error: ValidationError) -> list[dict]:
    """A Django ValidationError as the API's [{field, message}] list, fields named as in the API."""
    if not hasattr(error, "error_dict"):
        return [{"field": None, "message": message} for message in error.messages]
    found = []
    for name, messages in error.message_dict.items():
        field = None if name == NON_FIELD_ERRORS else API_FIELD_NAMES.get(name, name)
        found.extend({"field": field, "message": message} for message in messages)
    return found


_REQUEST_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})


def request_errors(errors: list[dict]) -> list[dict]:
    """Ninja's request validation errors as [{field, message}], without its location prefixes.

    Ninja locates a body error as ``("body", "payload", "nct_number")``: the source and the
    view's parameter name say nothing to the client, so the field is just ``nct_number``.
    """
    found = []
    for error in errors:
        loc = list(error.get("loc", ()))
        source = loc.pop(0) if loc and loc[0] in _REQUEST_SOURCES else ""
        if source == "body" and loc:
            loc.pop(0)
        field = ".".join(str(part) for part in loc) or None
        if source == "body" and field is None:
            # The body as a whole is missing or is not an object: no field to name.
            found.append({"field": None, "message": "The request body must be a JSON object."})
        else:
            found.append({"field": field, "message": _request_message(error)})
    return found


def _request_message(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        return "This field is not known here."
    if error.get("loc", ())[-1:] == ("reason",) and kind in ("missing", "string_pattern_mismatch"):
        return REASON_REQUIRED
    if kind == "missing":
        return "This field is required."
    message = str(error.get("msg", "This value is not valid."))
    return message.removeprefix("Value error, ")


def summary(errors: list[dict]) -> str:
    """A one-line detail for a list of field errors."""
    fields = sorted({e["field"] or "" for e in errors})
    if len(fields) == 1:
        messages = " ".join(e["message"] for e in errors)
        return f"{fields[0]}: {messages}" if fields[0] else messages
    if fields:
        return f"Some values are not valid: {', '.join(f for f in fields if f) or 'the record as a whole'}."
    return "The request is not valid."


def visible_or_404(request, model, pk: int, *related: str):
    """The `model` row `pk` if the caller may see it (through its `visible_to`), else 404."""
    rows = model.objects.visible_to(actor(request)).select_related(*related)
    return get_object_or_404(rows, pk=pk)
