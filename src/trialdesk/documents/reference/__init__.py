"""The shipped TMF Reference Model (CDISC v3.3.1) and the country document rules, read from package files.

`tmf_reference_model_v3.3.1.json` is a projection of the CDISC workbook
"Version_3.3.1_TMF_Reference_Model_11-Aug-2023.xlsx" (sheet "V 3.3.1 Clean", public domain per its
"Model Overview" sheet), made by `extract.py` beside it; `country_documents.json` names its
sources per rule. Nothing here touches the network or the database.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).parent
MODEL_FILE = FOLDER / "tmf_reference_model_v3.3.1.json"
COUNTRY_FILE = FOLDER / "country_documents.json"


@dataclass(frozen=True)
class Artifact:
    """One artifact of the model, with the levels it is filed at and the milestone due at each."""

    number: str
    name: str
    zone_number: str
    zone_name: str
    section_number: str
    section_name: str
    definition: str
    subartifacts: tuple[str, ...]
    core: bool
    ich_code: str
    unique_id: int
    milestones: tuple[tuple[str, str], ...]  # (level, milestone) for each level it is filed at

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(level for level, _ in self.milestones)

    def milestone_at(self, level: str) -> str:
        return dict(self.milestones).get(level, "")

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


@dataclass(frozen=True)
class Section:
    number: str
    name: str
    artifacts: tuple[Artifact, ...]


@dataclass(frozen=True)
class Zone:
    number: str
    name: str
    sections: tuple[Section, ...]


@cache
def model_document() -> dict:
    return json.loads(MODEL_FILE.read_text(encoding="utf-8"))


@cache
def artifacts() -> dict[str, Artifact]:
    """Every artifact of the model by its number ("05.02.02"), in the model's order."""
    found = {}
    for row in model_document()["artifacts"]:
        found[row["artifact_number"]] = Artifact(
            number=row["artifact_number"],
            name=row["artifact_name"],
            zone_number=row["zone_number"],
            zone_name=row["zone_name"],
            section_number=row["section_number"],
            section_name=row["section_name"],
            definition=row["definition"],
            subartifacts=tuple(row["recommended_subartifacts"]),
            core=row["core"],
            ich_code=row["ich_code"],
            unique_id=row["unique_id"],
            milestones=tuple(row["levels"].items()),
        )
    return found


def artifact(number: str) -> Artifact | None:
    return artifacts().get((number or "").strip())


@cache
def zones() -> tuple[Zone, ...]:
    """The model as zones of sections of artifacts."""
    by_zone: dict[str, dict[str, list[Artifact]]] = {}
    names: dict[str, str] = {}
    for item in artifacts().values():
        by_zone.setdefault(item.zone_number, {}).setdefault(item.section_number, []).append(item)
        names[item.zone_number] = item.zone_name
        names[item.section_number] = item.section_name
    return tuple(
        Zone(
            number=zone,
            name=names[zone],
            sections=tuple(
                Section(number, names[number], tuple(items)) for number, items in sections.items()
            ),
        )
        for zone, sections in by_zone.items()
    )


def model_version() -> str:
    return model_document()["version"]


@cache
def country_rules() -> dict:
    """The country document rules: authorities by country, the EU/EEA members, and extra documents."""
    return json.loads(COUNTRY_FILE.read_text(encoding="utf-8"))
