"""A ClinicalTrials.gov study record as plain dataclasses, and the errors of reading one."""

import datetime as dt
from dataclasses import dataclass, field


class RecordError(ValueError):
    """A record that cannot be imported; `problems` are (JSON path, message) pairs."""

    def __init__(self, problems: list["Problem"]):
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


class DocumentError(ValueError):
    """A file that is not a ClinicalTrials.gov document at all (unreadable, not JSON, wrong shape)."""


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class RegistryDate:
    """A registry date: month-only dates read as the 1st, so deadlines derived from them are never late."""

    on: dt.date
    kind: str = ""  # ACTUAL, ESTIMATED, or "" when the registry did not say
    precision: str = "day"

    def is_actual(self, today: dt.date) -> bool:
        """ACTUAL dates are actual; older records give no type, then a date already past counts as actual."""
        if self.kind:
            return self.kind == "ACTUAL"
        return self.on <= today


@dataclass(frozen=True)
class Location:
    """One site of the study as the registry lists it."""

    path: str
    facility: str
    city: str
    state: str
    zip: str
    country_name: str
    country: str
    status: str
    latitude: float | None
    longitude: float | None
    time_zone: str

    @property
    def key(self) -> str:
        """How a location is recognised again in a later version of the record."""
        return "|".join(part.strip().casefold() for part in (self.facility, self.city, self.country))


@dataclass(frozen=True)
class ArmGroup:
    label: str
    type: str
    description: str
    intervention_names: tuple[str, ...]


@dataclass(frozen=True)
class Intervention:
    type: str
    name: str
    description: str


@dataclass(frozen=True)
class Outcome:
    measure: str
    time_frame: str
    description: str


@dataclass(frozen=True)
class RegistryStudy:
    """One ClinicalTrials.gov study record, every field optional except the NCT number."""

    nct_number: str
    org_study_id: str = ""
    brief_title: str = ""
    official_title: str = ""
    acronym: str = ""
    overall_status: str = ""
    last_known_status: str = ""
    phases: tuple[str, ...] = ()
    study_type: str = ""
    masking: str = ""
    lead_sponsor: str = ""
    collaborators: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    brief_summary: str = ""
    arm_groups: tuple[ArmGroup, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    enrollment_count: int | None = None
    enrollment_type: str = ""
    start: RegistryDate | None = None
    primary_completion: RegistryDate | None = None
    completion: RegistryDate | None = None
    first_submitted_on: dt.date | None = None
    results_first_submitted_on: dt.date | None = None
    last_update_submitted_on: dt.date | None = None
    last_update_posted_on: dt.date | None = None
    eligibility_criteria: str = ""
    sex: str = ""
    minimum_age: str = ""
    maximum_age: str = ""
    healthy_volunteers: bool | None = None
    is_fda_regulated_drug: bool | None = None
    is_fda_regulated_device: bool | None = None
    has_results: bool | None = None
    locations: tuple[Location, ...] = ()
    warnings: tuple[Problem, ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def eligibility_summary(self) -> str:
        """The criteria text with the registry's structured facts (sex, ages, healthy volunteers) on top."""
        facts = []
        if self.sex:
            facts.append(f"Sex: {self.sex.title()}")
        if self.minimum_age or self.maximum_age:
            facts.append(f"Ages: {self.minimum_age or 'no minimum'} to {self.maximum_age or 'no maximum'}")
        if self.healthy_volunteers is not None:
            facts.append(f"Healthy volunteers: {'yes' if self.healthy_volunteers else 'no'}")
        head = "; ".join(facts)
        return "\n\n".join(part for part in (head, self.eligibility_criteria) if part)

    @property
    def is_fda_regulated(self) -> bool | None:
        values = (self.is_fda_regulated_drug, self.is_fda_regulated_device)
        if all(v is None for v in values):
            return None
        return any(values)


@dataclass(frozen=True)
class RecordSource:
    """Where a record was found: the file, and the JSON path of the record inside it."""

    file: str
    path: str

    def __str__(self) -> str:
        return f"{self.file}:{self.path}" if self.path else self.file
