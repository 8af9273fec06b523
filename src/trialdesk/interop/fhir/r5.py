"""FHIR R5 ResearchStudy and ResearchSubject, built from the R4 resources and the same facts."""

import hashlib

from trialdesk.interop.fhir.facts import StudyFacts, SubjectFacts
from trialdesk.interop.fhir.r4 import _ID_CHARACTERS, SUBJECT_STATUS, research_study, research_subject

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
