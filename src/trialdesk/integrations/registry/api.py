"""API operations of the ClinicalTrials.gov import and the registry check (in the integrations router)."""

import json
from dataclasses import asdict

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import transaction
from ninja import Query, Router
from ninja.errors import HttpError

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    page_schema,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import selectors, services
from trialdesk.integrations.registry.importing import ImportRefused
from trialdesk.integrations.registry.schemas import (
    ImportOut,
    RegistryCheckOut,
    RegistryFactsIn,
    RegistryFindingOut,
)
from trialdesk.interop import ctgov
from trialdesk.studies.models import Study

router = Router(tags=["registry"])


def _body(request):
    try:
        return json.loads(request.body)
    except RequestDataTooBig as error:
        raise HttpError(
            413, "The request body is too large; import large files with `trialdesk import ctgov`."
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise HttpError(400, f"The request body is not valid JSON: {error}") from error


@router.post(
    "/imports/ctgov",
    response=with_errors({200: ImportOut}, (*CREATE_ERRORS, 413)),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "A ClinicalTrials.gov API v2 study record, "
                        'or a page `{"studies": [...]}`.',
                    }
                }
            },
        }
    },
)
def import_ctgov(request, skip_unnamed_locations: bool = False):
    """Create or update studies from ClinicalTrials.gov records (CRMs and administrators); all or nothing.

    A problem answers 422 with each error's `field` the JSON path of the value at fault. A location
    without a facility name is such a problem unless `skip_unnamed_locations` (then it is left out, with a
    warning).
    """
    user = actor(request)
    require(can_create_study(user), "Only administrators and CRMs import studies.")
    document = _body(request)
    parsed, errors = [], []
    try:
        for source, record in ctgov.records_in(document):
            try:
                parsed.append(
                    ctgov.parse_record(
                        record, base=source.path, skip_unnamed_locations=skip_unnamed_locations
                    )
                )
            except ctgov.RecordError as error:
                errors.extend({p.path: p.message} for p in error.problems)
    except ctgov.DocumentError as error:
        raise ValidationError({"$": str(error)}) from error
    if errors:
        merged = {}
        for error in errors:
            for path, message in error.items():
                merged.setdefault(path, []).append(message)
        raise ValidationError(merged)
    outcomes = []
    with transaction.atomic():
        for study in parsed:
            try:
                outcomes.append(services.import_record(study, by=user))
            except ImportRefused as error:
                raise ValidationError({error.path: error.message}) from error
    return {
        "studies": [
            {
                "nct_number": o.nct_number,
                "study_id": o.study_id,
                "study_code": o.study_code,
                "created": o.study_created,
                "updated": o.study_updated,
                "skipped": o.skipped,
                "sites_created": o.sites_created,
                "sites_updated": o.sites_updated,
                "warnings": o.warnings,
                "local_edits": o.local_edits,
            }
            for o in outcomes
        ]
    }


@router.get(
    "/studies/{study_id}/registry-check",
    response=with_errors({200: page_schema(RegistryFindingOut)}, READ_ERRORS),
)
def registry_check(request, study_id: int, page: Query[PageQuery]):
    """Findings of the registry check: each difference between the study's ClinicalTrials.gov record and
    Trialdesk (`kind` "difference"), then each FDAAA 801 / EU CTR deadline (`kind` "deadline").

    Empty for a study without an imported registry record; `PUT …/registry-facts` answers the whole check.
    """
    study = visible_or_404(request, Study, study_id)
    check = selectors.check_study(study, user=actor(request))
    findings = []
    if check is not None:
        findings = [{"kind": "difference", **asdict(d)} for d in check.differences]
        findings += [{"kind": "deadline", **d} for d in check.deadlines]
    return {
        "count": len(findings),
        "limit": page.limit,
        "offset": page.offset,
        "items": findings[page.offset : page.offset + page.limit],
    }


@router.put("/studies/{study_id}/registry-facts", response=with_errors({200: RegistryCheckOut}, WRITE_ERRORS))
def record_registry_facts(request, study_id: int, payload: RegistryFactsIn):
    """Record whether FDAAA 801 applies, a certification to delay results, and the EU end of trial (CRMs)."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    if not can_manage_study(user, study.pk):
        raise PermissionDenied("Only the study's CRM or an administrator records registry facts.")
    changes = payload.model_dump(exclude={"reason"})
    services.record_registry_facts(study=study, changes=changes, by=user, reason=payload.reason)
    return _check(study, user)


def _check(study: Study, user) -> dict:
    record = RegistryRecord.objects.filter(study=study).select_related("snapshot").first()
    base = {
        "study_id": study.pk,
        "study_code": study.code,
        "nct_number": study.nct_number,
        "has_registry_record": False,
    }
    if record is None:
        return base
    check = selectors.check_study(study, user=user)
    return {
        **check.as_dict(),
        "has_registry_record": True,
        "imported_at": check.imported_at,
        "last_update_posted_on": check.last_update_posted_on,
        "deadlines": list(check.deadlines),
        "applicability_missing": list(check.applicability_missing),
        **{name: getattr(record, name) for name in services.REGISTRY_FACT_FIELDS},
    }
