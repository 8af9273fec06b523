"""Free-text fields searched for direct identifiers (issue 20 §4): AE narratives and verbatim terms,
deviation descriptions, visit notes, monitoring findings, reports and action items, document titles and
notes. Each finding names the record and field, the kind of identifier and an excerpt with every identifier
masked, so the list itself spreads none.

`trialdesk privacy scan [--study CODE] --json` reads every record; the page and the API read what the
reader may see (each model's `visible_to`), so a data protection officer, who sees no participant's
records, gets findings in staff-level records and a count of the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Model, QuerySet

from trialdesk.core import identifiers
from trialdesk.core.forms import staff_directory_names
from trialdesk.core.models import User
from trialdesk.documents.models import Document, DocumentVersion
from trialdesk.monitoring.models import ActionItem, Finding, VisitReport
from trialdesk.safety.models import AdverseEventVersion
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit


@dataclass(frozen=True)
class Target:
    """A model's free-text fields, and the path from it to its study. `person_path` leads to the staff
    member a record is about (a CV, a GCP certificate): their own name there is no finding."""

    model: type[Model]
    fields: tuple[str, ...]
    study_path: str
    subject_level: bool
    person_path: str = ""


TARGETS = (
    Target(AdverseEventVersion, ("verbatim_term", "narrative"), "adverse_event__study", True),
    Target(ProtocolDeviation, ("description", "corrective_action"), "study", True),
    Target(ScheduledVisit, ("note",), "participant__study", True),
    Target(Participant, ("end_reason",), "study", True),
    Target(Finding, ("description",), "study", False),
    Target(VisitReport, ("summary",), "study", False),
    Target(ActionItem, ("description", "resolution"), "study", False),
    Target(Document, ("title",), "study", False, "person"),
    Target(DocumentVersion, ("note",), "document__study", False),
)


@dataclass(frozen=True)
class ScanFinding:
    record: str
    field: str
    kind: str
    excerpt: str
    study: str
    subject_level: bool

    def as_json(self) -> dict:
        return {"record": self.record, "field": self.field, "kind": self.kind, "excerpt": self.excerpt}


def findings_in(text: str, *, names: Iterable[str]) -> Iterator[tuple[str, str]]:
    """(kind, masked excerpt) for each likely identifier in `text`."""
    found = identifiers.find_identifiers(text, names=names)
    for finding in found:
        yield finding.kind, identifiers.excerpt(text, finding, found)


def _rows(target: Target, queryset: QuerySet) -> Iterator[tuple]:
    """(pk, study code, whose record it is ("" if nobody's), *texts) for each record."""
    whose = (
        (f"{target.person_path}__first_name", f"{target.person_path}__last_name")
        if target.person_path
        else ()
    )
    rows = queryset.select_related(None).values_list(
        "pk", f"{target.study_path}__code", *whose, *target.fields
    )
    for row in rows.iterator():
        if whose:
            pk, code, first, last, *texts = row
            yield pk, code, f"{first or ''} {last or ''}".strip(), *texts
        else:
            pk, code, *texts = row
            yield pk, code, "", *texts


def scan(
    *, rows_of=lambda target: target.model.objects.all(), study_id: int | None = None
) -> list[ScanFinding]:
    """Every finding in the records `rows_of(target)` gives, of one study or all."""
    names = staff_directory_names()
    found = []
    for target in TARGETS:
        queryset = rows_of(target)
        if study_id is not None:
            queryset = queryset.filter(**{f"{target.study_path}_id": study_id})
        label = target.model._meta.label_lower
        for pk, code, whose, *texts in _rows(target, queryset):
            others = [name for name in names if name != whose] if whose else names
            for field, text in zip(target.fields, texts, strict=True):
                for kind, excerpt in findings_in(text or "", names=others):
                    found.append(
                        ScanFinding(f"{label}:{pk}", field, kind, excerpt, code, target.subject_level)
                    )
    return found


def scan_visible(user: User, *, study_id: int) -> tuple[list[ScanFinding], int]:
    """The findings of one study in the records `user` may see, and how many others are hidden from them."""
    visible = scan(rows_of=lambda target: target.model.objects.visible_to(user), study_id=study_id)
    everything = scan(study_id=study_id)
    return visible, len(everything) - len(visible)
