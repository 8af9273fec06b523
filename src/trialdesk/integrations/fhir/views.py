"""The study page's FHIR download: the study and its participants as a Bundle, as the person may see them.

It holds only what the signed-in person may see (participants in scope, arms only when unblinded), the
same as `trialdesk export fhir --user`.
"""

import json

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_safe

from trialdesk.integrations.downloads import attachment
from trialdesk.integrations.fhir import selectors as fhir
from trialdesk.studies.pages import visible_study


@login_required
@require_safe
def fhir_download(request, study_id):
    study = visible_study(request, study_id)
    bundle = fhir.study_bundle(request.user, study, base_url=request.build_absolute_uri("/api/v1/fhir/"))
    content = json.dumps(bundle, indent=2).encode()
    return attachment(content, "application/fhir+json", f"{study.code}-fhir-bundle.json")
