"""The plain facts a FHIR resource is built from: a study, its sites and arms, a participant and consent."""

import datetime as dt
from dataclasses import dataclass


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
