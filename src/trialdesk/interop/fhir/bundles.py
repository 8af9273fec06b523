"""A collection Bundle of a study and its participants, in the FHIR release a reader asks for."""

import datetime as dt
import uuid

from trialdesk.interop.fhir.facts import StudyFacts, SubjectFacts
from trialdesk.interop.fhir.r4 import research_study, research_subject
from trialdesk.interop.fhir.r5 import research_study_r5, research_subject_r5

# Entries of a Bundle written with no server base get stable urn:uuid full URLs, derived from this name.
_BUNDLE_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:trialdesk:fhir")


def _urn(kind: str, study_code: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_BUNDLE_NAMESPACE, f'{kind}/{study_code}/{key}')}"


def bundle(
    study: StudyFacts,
    subjects: list[SubjectFacts],
    *,
    at: dt.datetime,
    base_url: str | None = None,
    release: str = "R4",
) -> dict:
    """A collection Bundle of the study and its participants.

    With `base_url` (the server's FHIR base) entries have RESTful full URLs and the subjects' relative
    `ResearchStudy/<id>` references resolve against them; without one (a file for another system),
    each entry gets a stable urn:uuid and the subjects reference the study's.
    """
    if base_url:
        base = base_url.rstrip("/")
        study_url = f"{base}/ResearchStudy/{study.id}"
        subject_urls = [f"{base}/ResearchSubject/{s.id}" for s in subjects]
        reference = None
    else:
        study_url = _urn("ResearchStudy", study.code, study.code)
        subject_urls = [_urn("ResearchSubject", study.code, s.number) for s in subjects]
        reference = study_url
    study_builder, subject_builder = BUILDERS[release]
    entries = [{"fullUrl": study_url, "resource": study_builder(study)}]
    entries += [
        {"fullUrl": url, "resource": subject_builder(subject, study_reference=reference)}
        for url, subject in zip(subject_urls, subjects, strict=True)
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "entry": entries,
    }


# FHIR release -> (ResearchStudy builder, ResearchSubject builder).
BUILDERS = {"R4": (research_study, research_subject), "R5": (research_study_r5, research_subject_r5)}


def release_from_accept(accept: str) -> str | None:
    """The FHIR release an Accept header asks for through its fhirVersion parameter (R4 when absent);
    None when it names a version this server does not write."""
    for part in (accept or "").split(","):
        for parameter in part.split(";")[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "fhirversion":
                version = value.strip().strip('"')
                if version.startswith("4.0"):
                    return "R4"
                if version.startswith("5.0"):
                    return "R5"
                return None
    return "R4"
