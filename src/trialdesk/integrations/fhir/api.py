"""HL7 FHIR reads: a study as ResearchStudy and a participant as ResearchSubject (application/fhir+json).

FHIR R4 by default; R5 when the Accept header asks for it (`application/fhir+json; fhirVersion=5.0`),
as FHIR's version negotiation does. Scoped like every endpoint: a study or participant the caller may
not see answers 404; a participant's arm appears only for readers who may see it.
"""

import json

from django.http import HttpResponse
from ninja import Router
from ninja.errors import HttpError

from trialdesk.core.apiutils import READ_ERRORS, actor, answers_in, visible_or_404, with_errors
from trialdesk.integrations.fhir import selectors as fhir
from trialdesk.interop import fhir as fhir_format
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

router = Router(tags=["FHIR"])
FHIR_ERRORS = (*READ_ERRORS, 406)
FHIR_VERSIONS = {"R4": "4.0", "R5": "5.0"}
# The answer is a FHIR resource (application/fhir+json), R4's or R5's; its shape is FHIR's, not ours.
FHIR_RESOURCE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}


def _release(request) -> str:
    release = fhir_format.release_from_accept(request.headers.get("Accept", ""))
    if release is None:
        raise HttpError(
            406, "This server writes FHIR 4.0 (R4, the default) and 5.0 (R5); ask with fhirVersion=."
        )
    return release


def _fhir_response(resource: dict, release: str) -> HttpResponse:
    content_type = f"{fhir_format.FHIR_JSON}; fhirVersion={FHIR_VERSIONS[release]}"
    return HttpResponse(json.dumps(resource, ensure_ascii=False), content_type=content_type)


@router.get(
    "/fhir/ResearchStudy/{study_id}",
    response=with_errors({200: None}, FHIR_ERRORS),
    openapi_extra=answers_in({fhir_format.FHIR_JSON: FHIR_RESOURCE}),
)
def fhir_research_study(request, study_id: int):
    """The study as a ResearchStudy: identifiers, status, phase, sites, enrollment (R4, or R5 on request)."""
    study = visible_or_404(request, Study, study_id)
    release = _release(request)
    return _fhir_response(fhir.research_study(actor(request), study, release=release), release)


@router.get(
    "/fhir/ResearchSubject/{participant_id}",
    response=with_errors({200: None}, FHIR_ERRORS),
    openapi_extra=answers_in({fhir_format.FHIR_JSON: FHIR_RESOURCE}),
)
def fhir_research_subject(request, participant_id: int):
    """The participant as a ResearchSubject: study, status, consent; arm only if unblinded (R4 or R5)."""
    participant = visible_or_404(request, Participant, participant_id, "study")
    release = _release(request)
    return _fhir_response(fhir.research_subject(actor(request), participant, release=release), release)
