"""The mapping file of `trialdesk import odm --mapping map.json`: how an EDC's OIDs translate to
Trialdesk's names, validated by a pydantic model that names every bad field by its JSON path.

Every key is optional, e.g.
{"study_events": {"SE.VISIT 1": "W2"}, "subjects": {"SS_0001": "101-001"}, "sites": {"ISSS": "101"},
 "visit_date_items": ["IT.VISITDTC"], "modality": "on_site", "status_item": "IT.DSDECOD",
 "status_date_item": "IT.DSSTDTC", "statuses": {"COMPLETED": "completed"}}
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, StrictStr

from trialdesk.interop import json_documents
from trialdesk.interop.odm import writer
from trialdesk.subjects.models import ParticipantStatus
from trialdesk.visits import rules as visit_rules

# Items that hold a visit's date in common EDC designs (CDASH SVSTDTC/VISDAT, our own IT.SVSTDTC);
# matched on the OID's last dotted part, so IT.VISITDTC and VISITDTC both count.
DEFAULT_VISIT_DATE_ITEMS = ("SVSTDTC", "VISDAT", "VISITDTC", "VISITDAT", "VISIT_DATE", "SVDAT")


class MappingError(Exception):
    """A mapping file that cannot be used; one line per bad field, each naming the file and JSON path."""


@dataclass(frozen=True)
class Mapping:
    """How an EDC's OIDs translate to Trialdesk's: subject keys, study events, sites, date items."""

    subjects: dict[str, str] = field(default_factory=dict)
    study_events: dict[str, str] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    visit_date_items: tuple[str, ...] = DEFAULT_VISIT_DATE_ITEMS
    modality: str = ""
    status_item: str = writer.STATUS_ITEM
    status_date_item: str = ""
    statuses: dict[str, str] = field(default_factory=dict)

    def status_for(self, value: str) -> str | None:
        """The Trialdesk status an EDC value stands for: mapped, else a Trialdesk status name itself."""
        if value in self.statuses:
            return self.statuses[value]
        return value if value in ParticipantStatus.values else None


def _filled(text: str) -> str:
    if not text.strip():
        raise ValueError("give a name or OID, not an empty text")
    return text.strip()


def _modality(text: str) -> str:
    if text.strip() and text.strip() not in visit_rules.MODALITIES:
        raise ValueError(f"choose one of {', '.join(visit_rules.MODALITIES)} (or leave it out)")
    return text.strip()


def _participant_status(text: str) -> str:
    if text.strip() not in ParticipantStatus.values:
        statuses = ", ".join(ParticipantStatus.values)
        raise ValueError(f"{text.strip()!r} is not a participant status; use {statuses}")
    return text.strip()


Filled = Annotated[StrictStr, AfterValidator(_filled)]


class MappingDocument(BaseModel):
    """The mapping file as written: OID → Trialdesk name tables, ItemOIDs, a visit modality."""

    model_config = ConfigDict(extra="forbid")

    subjects: dict[str, Filled] = {}
    study_events: dict[str, Filled] = {}
    sites: dict[str, Filled] = {}
    visit_date_items: list[Filled] = list(DEFAULT_VISIT_DATE_ITEMS)
    modality: Annotated[StrictStr, AfterValidator(_modality)] = ""
    status_item: StrictStr = writer.STATUS_ITEM
    status_date_item: StrictStr = ""
    statuses: dict[str, Annotated[StrictStr, AfterValidator(_participant_status)]] = {}

    def mapping(self) -> Mapping:
        def stripped(table: dict[str, str]) -> dict[str, str]:
            return {key.strip(): value for key, value in table.items()}

        return Mapping(
            subjects=stripped(self.subjects),
            study_events=stripped(self.study_events),
            sites=stripped(self.sites),
            visit_date_items=tuple(self.visit_date_items),
            modality=self.modality,
            status_item=self.status_item.strip(),
            status_date_item=self.status_date_item.strip(),
            statuses=stripped(self.statuses),
        )


def load_mapping(path: str | Path) -> Mapping:
    """A Mapping from a JSON file; MappingError with a line `{file}: {JSON path}: {problem}` per bad field."""
    try:
        document = json_documents.validate(MappingDocument, json_documents.read_json(path))
    except json_documents.DocumentError as error:
        raise MappingError("\n".join(f"{path}: {line}" for line in error.lines())) from None
    return document.mapping()
