"""The study page's FHIR download: the study and its participants as a Bundle, as the person may see them.

It holds only what the signed-in person may see (participants in scope, arms only when unblinded), the
same as `trialdesk export fhir --user`.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_safe

from trialdesk.integrations.fhir import selectors as fhir
from trialdesk.studies.pages import visible_study


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_safe
def fhir_download(request, study_id):
    study = visible_study(request, study_id)
    bundle = fhir.study_bundle(request.user, study, base_url=request.build_absolute_uri("/api/v1/fhir/"))
    content = json.dumps(bundle, indent=2).encode()
    return _attachment(content, "application/fhir+json", f"{study.code}-fhir-bundle.json")
