"""FHIR R4 ResearchStudy and ResearchSubject from plain facts: the value sets, identifiers and Locations."""

import hashlib

from trialdesk.interop.fhir.facts import SiteFacts, StudyFacts, SubjectFacts

NCT_SYSTEM = "https://clinicaltrials.gov"
PROTOCOL_SYSTEM = "urn:trialdesk:protocol-number"
CONSENT_SYSTEM = "urn:trialdesk:consent"
PHASE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-study-phase"
COUNTRY_SYSTEM = "urn:iso:std:iso:3166"
FHIR_JSON = "application/fhir+json"

# Trialdesk's study status -> R4 ResearchStudy.status.
STUDY_STATUS = {
    "planned": "in-review",
    "start_up": "approved",
    "recruiting": "active",
    "active_not_recruiting": "closed-to-accrual",
    "suspended": "temporarily-closed-to-accrual-and-intervention",
    "completed": "completed",
    "terminated": "administratively-completed",
    "withdrawn": "withdrawn",
}
# Trialdesk's phase -> research-study-phase code (devices and observational studies have no phase).
PHASE = {
    "I": ("phase-1", "Phase 1"),
    "I-II": ("phase-1-phase-2", "Phase 1/Phase 2"),
    "II": ("phase-2", "Phase 2"),
    "II-III": ("phase-2-phase-3", "Phase 2/Phase 3"),
    "III": ("phase-3", "Phase 3"),
    "IV": ("phase-4", "Phase 4"),
    "device": ("n-a", "N/A"),
    "observational": ("n-a", "N/A"),
}
# Trialdesk's participant status -> R4 ResearchSubject.status.
SUBJECT_STATUS = {
    "screening": "screening",
    "enrolled": "on-study",
    "randomized": "on-study",
    "on_treatment": "on-study-intervention",
    "follow_up": "follow-up",
    "completed": "off-study",
    "withdrawn": "withdrawn",
    "lost_to_follow_up": "off-study",
    "died": "off-study",
}
# Sites that take part (or will): their Location is active; the others inactive.
ACTIVE_SITE_STATUSES = frozenset(
    {"identified", "under_feasibility", "selected", "start_up", "activated", "enrolling", "enrollment_closed"}
)


_ID_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.")


def _site_id(number: str) -> str:
    """A contained Location's id: FHIR ids are ASCII letters, digits, '-' and '.', at most 64 long; a
    site number with other characters gets a digest so that two such numbers never share an id."""
    safe = "".join(c if c in _ID_CHARACTERS else "-" for c in number)[:40]
    if safe != number:
        safe += "-" + hashlib.sha256(number.encode()).hexdigest()[:10]
    return f"site-{safe}"


def _location(site: SiteFacts) -> dict:
    address = {"city": site.city, "country": site.country}
    if site.region:
        address["state"] = site.region
    if site.postal_code:
        address["postalCode"] = site.postal_code
    return {
        "resourceType": "Location",
        "id": _site_id(site.number),
        "identifier": [{"system": "urn:trialdesk:site-number", "value": site.number}],
        "status": "active" if site.status in ACTIVE_SITE_STATUSES else "inactive",
        "name": site.name,
        "address": address,
    }


def research_study(study: StudyFacts) -> dict:
    """An R4 ResearchStudy; sites, the sponsor and the planned enrollment are contained resources."""
    identifiers = [{"use": "official", "system": PROTOCOL_SYSTEM, "value": study.code}]
    if study.nct_number:
        identifiers.append({"use": "secondary", "system": NCT_SYSTEM, "value": study.nct_number})
    contained: list[dict] = [_location(site) for site in study.sites]
    resource: dict = {
        "resourceType": "ResearchStudy",
        "id": str(study.id),
        "identifier": identifiers,
        "title": study.title,
        "status": STUDY_STATUS.get(study.status, "in-review"),
    }
    if study.phase in PHASE:
        code, display = PHASE[study.phase]
        resource["phase"] = {"coding": [{"system": PHASE_SYSTEM, "code": code, "display": display}]}
    if study.conditions:
        resource["condition"] = [{"text": condition} for condition in study.conditions]
    if study.acronym:
        resource["keyword"] = [{"text": study.acronym}]
    countries = sorted({site.country for site in study.sites if site.country})
    if countries:
        resource["location"] = [{"coding": [{"system": COUNTRY_SYSTEM, "code": c}]} for c in countries]
    if study.description:
        resource["description"] = study.description
    if study.start_on or study.end_on:
        resource["period"] = {
            key: day.isoformat() for key, day in (("start", study.start_on), ("end", study.end_on)) if day
        }
    if study.planned_enrollment:
        contained.append(
            {
                "resourceType": "Group",
                "id": "enrollment",
                "type": "person",
                "actual": False,
                "name": "Planned enrollment",
                "quantity": study.planned_enrollment,
            }
        )
        resource["enrollment"] = [{"reference": "#enrollment", "display": "Planned enrollment"}]
    if study.sponsor:
        contained.append({"resourceType": "Organization", "id": "sponsor", "name": study.sponsor})
        resource["sponsor"] = {"reference": "#sponsor", "display": study.sponsor}
    if study.sites:
        resource["site"] = [
            {"reference": f"#{_site_id(site.number)}", "display": f"Site {site.number}: {site.name}"}
            for site in study.sites
        ]
    if study.arms:
        resource["arm"] = [
            {
                "name": arm.code,
                "description": arm.name,
                **({"type": {"text": arm.type_label}} if arm.type_label else {}),
            }
            for arm in study.arms
        ]
    if contained:
        resource["contained"] = contained
    return resource


def research_subject(subject: SubjectFacts, *, study_reference: str | None = None) -> dict:
    """An R4 ResearchSubject of a pseudonymous participant, with the arm only when the facts carry one.

    The study is referenced as `ResearchStudy/<id>` unless `study_reference` (a Bundle's fullUrl) is given.
    """
    number = {
        "system": f"urn:trialdesk:study:{subject.study_code}:participant-number",
        "value": subject.number,
    }
    resource: dict = {
        "resourceType": "ResearchSubject",
        "id": str(subject.id),
        "identifier": [number],
        "status": SUBJECT_STATUS.get(subject.status, "on-study"),
        "study": {
            "reference": study_reference or f"ResearchStudy/{subject.study_id}",
            "display": subject.study_code,
        },
        # R4 requires an individual; Trialdesk holds no identities, so the reference is the number alone.
        "individual": {"identifier": number, "display": f"Participant {subject.number}"},
    }
    if subject.enrolled_on:
        resource["period"] = {"start": subject.enrolled_on.isoformat()}
        if subject.ended_on:
            resource["period"]["end"] = subject.ended_on.isoformat()
    if subject.consent:
        consent = subject.consent
        resource["consent"] = {
            "type": "Consent",
            "identifier": {"system": CONSENT_SYSTEM, "value": str(consent.id)},
            "display": f"Consent v{consent.label} ({consent.language}), signed {consent.signed_at:%Y-%m-%d}",
        }
    if subject.arm_code:
        resource["assignedArm"] = subject.arm_code
        resource["actualArm"] = subject.arm_code
    return resource
