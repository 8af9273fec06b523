"""HL7 FHIR R4 (and R5) ResearchStudy, ResearchSubject and Bundle resources from plain facts (no Django).

Value sets (R4, hl7.org/fhir/R4): ResearchStudy.status (research-study-status), ResearchStudy.phase
(terminology.hl7.org/CodeSystem/research-study-phase), ResearchSubject.status (research-subject-status).
Participants are pseudonymous: ResearchSubject.individual is a logical reference by participant number,
never a Patient. An arm is written only when the facts carry one (the caller leaves it out for
blinded readers).

The format's interface is what this package names below, as for interop.odm: `facts` (what a resource
is built from), `r4` and `r5` (the resources of each release), `bundles` (a Bundle, and the release a
reader's Accept header asks for).
"""

from trialdesk.interop.fhir.bundles import BUILDERS, bundle, release_from_accept
from trialdesk.interop.fhir.facts import ArmFacts, ConsentFacts, SiteFacts, StudyFacts, SubjectFacts
from trialdesk.interop.fhir.r4 import (
    FHIR_JSON,
    PHASE,
    STUDY_STATUS,
    SUBJECT_STATUS,
    research_study,
    research_subject,
)
from trialdesk.interop.fhir.r5 import research_study_r5, research_subject_r5

__all__ = [
    "BUILDERS",
    "FHIR_JSON",
    "PHASE",
    "STUDY_STATUS",
    "SUBJECT_STATUS",
    "ArmFacts",
    "ConsentFacts",
    "SiteFacts",
    "StudyFacts",
    "SubjectFacts",
    "bundle",
    "release_from_accept",
    "research_study",
    "research_study_r5",
    "research_subject",
    "research_subject_r5",
]
