"""API operations of the bulk import: preview a spreadsheet (nothing written) or apply it (all or nothing).

The file is sent as multipart/form-data (`file`, and `study_id` for sites). The size is checked from
the request's Content-Length before the body is read (with a personal API token; a browser session's
CSRF check reads the body first), and again on the file itself: over TRIALDESK_IMPORT_MAX_BYTES is
a 413 naming `file`. Problems of a file being applied
answer 422, each error's `field` the column key at fault and its message placed as "FILE row N, column C".
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    WRITE_ERRORS,
    actor,
    error_body,
    refuse_oversized_upload,
    with_errors,
)
from trialdesk.core.permissions import can_manage_institutions, require
from trialdesk.integrations.bulk import plans, services
from trialdesk.integrations.bulk.columns import INSTITUTION_COLUMNS, INSTITUTIONS, SITE_COLUMNS, STUDY_SITES
from trialdesk.integrations.bulk.schemas import ImportPlanOut
from trialdesk.studies import selectors as study_selectors

router = Router(tags=["imports"])


def _multipart(*, with_study: bool) -> dict:
    properties = {"file": {"type": "string", "format": "binary", "description": "An .xlsx or .csv file."}}
    required = ["file"]
    if with_study:
        properties["study_id"] = {"type": "integer", "description": "The study whose sites these are."}
        required.append("study_id")
    schema = {"type": "object", "properties": properties, "required": required}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


def _plan_out(plan: plans.ImportPlan, *, applied: bool) -> dict:
    return {
        "kind": plan.kind,
        "filename": plan.filename,
        "study_id": plan.study.pk if plan.study else None,
        "applied": applied,
        "can_apply": plan.can_apply and not applied,
        "created": plan.created,
        "changed": plan.changed,
        "unchanged": plan.unchanged,
        "ignored_columns": list(plan.ignored_columns),
        "rows": [
            {"row": r.row, "action": r.action, "label": r.label, "changes": [c.__dict__ for c in r.changes]}
            for r in plan.rows
        ],
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message, "located": p.located(plan.filename)}
            for p in plan.problems
        ],
    }


def _refusal(plan: plans.ImportPlan) -> Status:
    columns = INSTITUTION_COLUMNS if plan.kind == INSTITUTIONS else SITE_COLUMNS
    keys = {c.label: c.key for c in columns}
    errors = [
        {"field": keys.get(p.column, "file"), "message": p.located(plan.filename)} for p in plan.problems
    ]
    detail = f"{plan.filename}: {len(plan.problems)} problem(s); nothing was imported."
    return Status(422, error_body(detail, errors))


def _upload(request) -> tuple[bytes, str]:
    """The uploaded file's content and name; a declared size over the limit is refused unread (413)."""
    refuse_oversized_upload(request, limit=plans.max_upload_bytes(), message=plans.too_large_message)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError({"file": "Send the spreadsheet as the multipart field `file`."})
    return upload.read(), upload.name


def _study(request):
    value = request.POST.get("study_id", "")
    if not value.strip().isdigit():
        raise ValidationError({"study_id": "Give the id of the study whose sites these are."})
    return get_object_or_404(study_selectors.studies_for(actor(request)), pk=int(value))


def _run(request, kind: str, *, apply: bool):
    user = actor(request)
    require(can_manage_institutions(user), "Only administrators and CRMs import records.")
    study = _study(request) if kind == STUDY_SITES else None
    content, filename = _upload(request)
    if not apply:
        return _plan_out(services.plan_import(kind, content, filename, by=user, study=study), applied=False)
    try:
        plan = services.import_file(kind, content, filename, by=user, study=study)
    except plans.ImportRefused as refused:
        return _refusal(refused.plan)
    return _plan_out(plan, applied=True)


@router.post(
    "/imports/institutions/preview",
    response=with_errors({200: ImportPlanOut}, (*CREATE_ERRORS, 413)),
    openapi_extra=_multipart(with_study=False),
)
def preview_institutions_import(request):
    """What importing the file's institutions would create and change, and every bad row; writes nothing."""
    return _run(request, INSTITUTIONS, apply=False)


@router.post(
    "/imports/institutions/apply",
    response=with_errors({200: ImportPlanOut}, (*CREATE_ERRORS, 413)),
    openapi_extra=_multipart(with_study=False),
)
def apply_institutions_import(request):
    """Import the file's institutions: all of them in one transaction, or 422 and nothing."""
    return _run(request, INSTITUTIONS, apply=True)


@router.post(
    "/imports/sites/preview",
    response=with_errors({200: ImportPlanOut}, (*WRITE_ERRORS, 413)),
    openapi_extra=_multipart(with_study=True),
)
def preview_sites_import(request):
    """What importing the file's sites into the study would create and change; writes nothing."""
    return _run(request, STUDY_SITES, apply=False)


@router.post(
    "/imports/sites/apply",
    response=with_errors({200: ImportPlanOut}, (*WRITE_ERRORS, 413)),
    openapi_extra=_multipart(with_study=True),
)
def apply_sites_import(request):
    """Import the file's sites into the study: all of them in one transaction, or 422 and nothing."""
    return _run(request, STUDY_SITES, apply=True)
