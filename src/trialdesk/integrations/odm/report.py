"""What an ODM import found and will do: visits and statuses to record, problems and warnings."""

import datetime as dt
from dataclasses import dataclass, field

from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit


@dataclass(frozen=True)
class Problem:
    """Something in the file that stops the import (or, as a warning, is skipped); `where` is an XPath."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class PlannedVisit:
    """A visit the import will record (or correct) as done."""

    visit: ScheduledVisit
    done_on: dt.date
    modality: str
    where: str


@dataclass
class PlannedStatus:
    """A participant status change the import will make (the EDC's disposition)."""

    participant: Participant
    to: str
    on: dt.date | None
    where: str


@dataclass
class ImportReport:
    """What an import found and did: visits recorded, unchanged, and every problem and warning."""

    source: str
    planned: list[PlannedVisit] = field(default_factory=list)
    statuses: list[PlannedStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    subjects_seen: int = 0
    unchanged: int = 0
    recorded: int = 0
    status_changes: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems
