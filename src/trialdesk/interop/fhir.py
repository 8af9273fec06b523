"""HL7 FHIR R4 (and R5) ResearchStudy, ResearchSubject and Bundle resources from plain facts (no Django).

Value sets (R4, hl7.org/fhir/R4): ResearchStudy.status (research-study-status), ResearchStudy.phase
(terminology.hl7.org/CodeSystem/research-study-phase), ResearchSubject.status (research-subject-status).
Participants are pseudonymous: ResearchSubject.individual is a logical reference by participant number,
never a Patient. An arm is written only when the facts carry one (the caller leaves it out for
blinded readers).
"""

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass

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


@dataclass(frozen=True)
class SiteFacts:
    """A study site as a FHIR Location."""

    number: str
    name: str
    city: str
    country: str
    status: str
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class ArmFacts:
    code: str
    name: str
    type_label: str = ""


@dataclass(frozen=True)
class StudyFacts:
    """What a ResearchStudy says about a study."""

    id: int
    code: str
    title: str
    status: str
    phase: str
    sponsor: str
    planned_enrollment: int
    nct_number: str = ""
    acronym: str = ""
    description: str = ""
    conditions: tuple[str, ...] = ()
    sites: tuple[SiteFacts, ...] = ()
    arms: tuple[ArmFacts, ...] = ()
    start_on: dt.date | None = None
    end_on: dt.date | None = None


@dataclass(frozen=True)
class ConsentFacts:
    id: int
    label: str
    language: str
    signed_at: dt.datetime


@dataclass(frozen=True)
class SubjectFacts:
    """What a ResearchSubject says about a participant; `arm_code` None unless the reader may see it."""

    id: int
    number: str
    study_id: int
    study_code: str
    status: str
    enrolled_on: dt.date | None = None
    ended_on: dt.date | None = None
    consent: ConsentFacts | None = None
    arm_code: str | None = None


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


# FHIR R5 (hl7.org/fhir/R5) --------------------------------------------------------------------------------
# R5 splits R4's status in two: the resource's publication status, and the study's progress (with the
# research-study-status codes) or the subject's state (research-subject-state). Enrollment becomes
# recruitment.targetNumber, arms become comparison groups and the sponsor an associated party.

R5_STUDY_STATE_SYSTEM = "http://hl7.org/fhir/research-study-status"
R5_SUBJECT_STATE_SYSTEM = "http://terminology.hl7.org/CodeSystem/research-subject-state"
R5_PARTY_ROLE_SYSTEM = "http://hl7.org/fhir/research-study-party-role"
R5_STUDY_STATE = {
    "planned": "not-yet-recruiting",
    "start_up": "approved",
    "recruiting": "recruiting",
    "active_not_recruiting": "active-but-not-recruiting",
    "suspended": "temporarily-closed-to-accrual-and-intervention",
    "completed": "completed",
    "terminated": "terminated",
    "withdrawn": "withdrawn",
}
R5_PUBLICATION_STATUS = {"planned": "draft", "withdrawn": "retired"}  # everything else: active


def _arm_id(code: str) -> str:
    safe = "".join(c if c in _ID_CHARACTERS else "-" for c in code)[:40]
    if safe != code:
        safe += "-" + hashlib.sha256(code.encode()).hexdigest()[:10]
    return f"arm-{safe}"


def research_study_r5(study: StudyFacts) -> dict:
    """The study as an R5 ResearchStudy."""
    resource = research_study(study)
    resource.pop("enrollment", None)
    resource.pop("sponsor", None)
    resource.pop("arm", None)
    countries = resource.pop("location", None)
    resource["contained"] = [c for c in resource.get("contained", []) if c["resourceType"] == "Location"]
    if not resource["contained"]:
        resource.pop("contained")
    if countries:
        resource["region"] = countries
    resource["status"] = R5_PUBLICATION_STATUS.get(study.status, "active")
    resource["progressStatus"] = [
        {
            "state": {
                "coding": [
                    {"system": R5_STUDY_STATE_SYSTEM, "code": R5_STUDY_STATE.get(study.status, "active")}
                ]
            },
            "actual": True,
        }
    ]
    if study.planned_enrollment:
        resource["recruitment"] = {"targetNumber": study.planned_enrollment}
    if study.sponsor:
        resource["associatedParty"] = [
            {
                "name": study.sponsor,
                "role": {"coding": [{"system": R5_PARTY_ROLE_SYSTEM, "code": "sponsor"}]},
            }
        ]
    if study.arms:
        resource["comparisonGroup"] = [
            {"linkId": _arm_id(arm.code), "name": arm.code, "description": arm.name} for arm in study.arms
        ]
    return resource


def research_subject_r5(subject: SubjectFacts, *, study_reference: str | None = None) -> dict:
    """The participant as an R5 ResearchSubject; the comparison group only when the facts carry an arm."""
    r4 = research_subject(subject, study_reference=study_reference)
    resource: dict = {
        "resourceType": "ResearchSubject",
        "id": r4["id"],
        "identifier": r4["identifier"],
        "status": "active",
        "progress": [
            {
                "subjectState": {
                    "coding": [
                        {
                            "system": R5_SUBJECT_STATE_SYSTEM,
                            "code": SUBJECT_STATUS.get(subject.status, "on-study"),
                        }
                    ]
                }
            }
        ],
        "study": r4["study"],
        "subject": r4["individual"],
    }
    if "period" in r4:
        resource["period"] = r4["period"]
    if "consent" in r4:
        resource["consent"] = [r4["consent"]]
    if subject.arm_code:
        resource["assignedComparisonGroup"] = _arm_id(subject.arm_code)
        resource["actualComparisonGroup"] = _arm_id(subject.arm_code)
    return resource


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
