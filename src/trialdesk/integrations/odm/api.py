"""CDISC ODM over the API: import an EDC's ClinicalData file (visits done, participant statuses).

The same checks and all-or-nothing write as `trialdesk import odm`. Out of scope is 404, people who may
not record visits get 403 before the file is read, a body over the size limit is refused from its
Content-Length (413) before it is read, and every problem comes back as a 422 naming its XPath.
"""

from ninja import Query, Router

from trialdesk.core.apiutils import WRITE_ERRORS, actor, error_body, visible_or_404, with_errors
from trialdesk.core.permissions import require
from trialdesk.integrations.odm import services
from trialdesk.integrations.odm.report import ImportReport, Problem
from trialdesk.integrations.odm.schemas import OdmImportOut, OdmImportQuery
from trialdesk.interop.odm import MAX_BYTES, OdmInputError, parse_bytes
from trialdesk.studies.models import Study
from trialdesk.visits.permissions import can_record_visits_in_study

router = Router(tags=["CDISC ODM"])

UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary", "description": "ODM XML"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def _problems(report: ImportReport):
    errors = [{"field": p.where, "message": p.message} for p in report.problems]
    detail = f"{report.source}: {len(errors)} problem(s) in the file; nothing was changed."
    return 422, error_body(detail, errors)


@router.post(
    "/studies/{study_id}/odm-imports",
    response=with_errors({200: OdmImportOut}, (*WRITE_ERRORS, 413)),
    openapi_extra=UPLOAD,
)
def import_odm(request, study_id: int, query: Query[OdmImportQuery]):
    """Record visits done and participant statuses from an EDC's ODM 1.3.2 ClinicalData (`file`);
    `dry_run=true` checks and reports without changing anything."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    require(can_record_visits_in_study(user, study.pk), "Only the study's site staff or CRM import visits.")
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > MAX_BYTES:
        return 413, error_body(f"The upload is {declared:,} bytes; the limit is {MAX_BYTES:,} bytes.")
    upload = request.FILES.get("file")
    if upload is None:
        return 422, error_body(
            "file: send the ODM file as multipart form field `file`.",
            [{"field": "file", "message": "This field is required."}],
        )
    report = ImportReport(source=upload.name or "upload")
    try:
        if upload.size > MAX_BYTES:
            raise OdmInputError(f"The file is {upload.size:,} bytes; the limit is {MAX_BYTES:,} bytes.")
        root = parse_bytes(upload.read())
    except OdmInputError as error:
        report.problems.append(Problem(error.where or "/", error.message))
        return _problems(report)
    report = services.plan_import(root=root, study=study, user=user, source=report.source)
    if report.ok and not query.dry_run:
        services.apply_import(report, user=user)
    if not report.ok:
        return _problems(report)
    return {
        "dry_run": query.dry_run,
        "subjects": report.subjects_seen,
        "visits_recorded": report.recorded,
        "visits_planned": len(report.planned),
        "visits_unchanged": report.unchanged,
        "status_changes": report.status_changes,
        "status_changes_planned": len(report.statuses),
        "warnings": [{"where": w.where, "message": w.message} for w in report.warnings],
    }
