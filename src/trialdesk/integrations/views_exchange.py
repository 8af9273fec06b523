"""Downloads from the study page for other systems: the CDISC ODM 1.3.2 file and the FHIR Bundle.

Both hold only what the signed-in person may see (participants in scope, arms only when unblinded), the
same as `trialdesk export odm|fhir --user`.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from trialdesk.integrations import fhir, odm
from trialdesk.studies.pages import visible_study


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def odm_download(request, study_id):
    study = visible_study(request, study_id)
    with_audit = request.GET.get("audit") == "1"
    xml = odm.export_study(study=study, user=request.user, audit=with_audit)  # metadata and clinical data
    suffix = "-audit" if with_audit else ""
    return _attachment(xml, "application/xml", f"{study.code}-odm{suffix}.xml")


@login_required
@require_safe
def fhir_download(request, study_id):
    study = visible_study(request, study_id)
    bundle = fhir.study_bundle(request.user, study, base_url=request.build_absolute_uri("/api/v1/fhir/"))
    content = json.dumps(bundle, indent=2).encode()
    return _attachment(content, "application/fhir+json", f"{study.code}-fhir-bundle.json")
