"""Pre-screening candidates read from FHIR R4 Bundles or the CSV template, de-identified on the way in.

Only what the rules look at is kept: a candidate key (the Patient's id or the CSV's `candidate` column),
birth date, sex, and coded conditions, observations and medications with their dates. Names, addresses,
telecoms and identifiers are never read. A bad entry is refused with its place named ("bundle.json
entry[3] (Observation): valueQuantity.value is missing") and nothing of the file is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from trialdesk.interop.eligibility.rules import ICD10, LOINC, SNOMED

KEY_PATTERN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SEX_VALUES = {"female": "female", "male": "male", "other": "other", "unknown": "", "f": "female", "m": "male"}


class CandidateError(ValueError):
    """Candidates that cannot be read; `problems` name each entry or row."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CodedFact:
    """A coded condition, medication or observation of a candidate, with its date (None: not recorded)."""

    system: str
    code: str
    on: dt.date | None = None
    value: float | None = None
    unit: str = ""


@dataclass
class CandidateRecord:
    """A de-identified candidate: a key and the facts rules look at. `conditions` or `medications` None
    means the source says nothing about them (evaluates `unknown`); an empty list means none recorded."""

    key: str
    birth_date: str = ""  # YYYY, YYYY-MM or YYYY-MM-DD, as the source gives it
    sex: str = ""  # female, male, other or "" (unknown)
    conditions: list[CodedFact] | None = field(default_factory=list)
    observations: list[CodedFact] = field(default_factory=list)
    medications: list[CodedFact] | None = field(default_factory=list)

    def as_json(self) -> dict:
        facts = lambda items: None if items is None else [_fact_json(f) for f in items]  # noqa: E731
        return {
            "key": self.key,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "conditions": facts(self.conditions),
            "observations": facts(self.observations),
            "medications": facts(self.medications),
        }

    @classmethod
    def from_json(cls, stored: dict) -> CandidateRecord:
        facts = lambda items: None if items is None else [_fact_from_json(f) for f in items]  # noqa: E731
        return cls(
            key=stored["key"],
            birth_date=stored.get("birth_date", ""),
            sex=stored.get("sex", ""),
            conditions=facts(stored.get("conditions", [])),
            observations=facts(stored.get("observations", [])) or [],
            medications=facts(stored.get("medications", [])),
        )


def _fact_json(fact: CodedFact) -> dict:
    out = {"system": fact.system, "code": fact.code, "on": fact.on.isoformat() if fact.on else None}
    if fact.value is not None:
        out |= {"value": fact.value, "unit": fact.unit}
    return out


def _fact_from_json(stored: dict) -> CodedFact:
    on = dt.date.fromisoformat(stored["on"]) if stored.get("on") else None
    return CodedFact(stored["system"], stored["code"], on, stored.get("value"), stored.get("unit", ""))


# FHIR -------------------------------------------------------------------------------------------------

_BIRTH = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def is_birth_date(written: str) -> bool:
    """YYYY, YYYY-MM or YYYY-MM-DD, a real month and day (FHIR's date precisions)."""
    if not _BIRTH.match(written):
        return False
    try:
        dt.date.fromisoformat(written + "-01" * ((10 - len(written)) // 3))
    except ValueError:
        return False
    return True


def _date(value, where: str, problems: list[str]) -> dt.date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"{where}: must be a date")
        return None
    try:
        return (
            dt.date.fromisoformat(value[:10])
            if len(value) >= 10
            else dt.date.fromisoformat(value + "-01" * ((10 - len(value)) // 3))
        )
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date")
        return None


def _coding(concept, where: str, problems: list[str]) -> tuple[str, str] | None:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    if not isinstance(codings, list) or not codings:
        problems.append(f"{where}.coding: a coded concept (system and code) is required")
        return None
    first = codings[0]
    if (
        not isinstance(first, dict)
        or not isinstance(first.get("system"), str)
        or not isinstance(first.get("code"), str)
    ):
        problems.append(f"{where}.coding[0]: system and code must be text")
        return None
    return first["system"], first["code"]


def _patient(resource: dict, where: str, problems: list[str]) -> tuple[str, str, str]:
    key = resource.get("id")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        problems.append(f"{where}: id must be a candidate key (letters, digits, . _ -, at most 64)")
        key = ""
    birth = resource.get("birthDate", "")
    if birth and (not isinstance(birth, str) or not is_birth_date(birth)):
        problems.append(f"{where}: birthDate {birth!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        birth = ""
    gender = resource.get("gender", "unknown")
    if not isinstance(gender, str) or gender not in ("female", "male", "other", "unknown"):
        problems.append(f"{where}: gender {gender!r} is not female, male, other or unknown")
        gender = "unknown"
    return key, birth, SEX_VALUES[gender]


def _observation(resource: dict, where: str, problems: list[str]) -> CodedFact | None:
    code = _coding(resource.get("code"), f"{where}.code", problems)
    quantity = resource.get("valueQuantity")
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        problems.append(f"{where}: valueQuantity.value is missing or not a number")
        return None
    unit = quantity.get("code") or quantity.get("unit") or ""
    on = _date(resource.get("effectiveDateTime"), f"{where}.effectiveDateTime", problems)
    return CodedFact(code[0], code[1], on, float(value), str(unit)) if code else None


def _condition(resource: dict, where: str, problems: list[str]) -> CodedFact | None:
    code = _coding(resource.get("code"), f"{where}.code", problems)
    on = _date(
        resource.get("onsetDateTime") or resource.get("recordedDate"), f"{where}.onsetDateTime", problems
    )
    return CodedFact(code[0], code[1], on) if code else None


def _medication(resource: dict, where: str, problems: list[str]) -> CodedFact | None:
    code = _coding(resource.get("medicationCodeableConcept"), f"{where}.medicationCodeableConcept", problems)
    period = resource.get("effectivePeriod") if isinstance(resource.get("effectivePeriod"), dict) else {}
    when = resource.get("effectiveDateTime") or period.get("end") or period.get("start")
    on = _date(when, f"{where}.effective", problems)
    return CodedFact(code[0], code[1], on) if code else None


_READERS = {"Observation": _observation, "Condition": _condition, "MedicationStatement": _medication}


def candidates_from_bundle(bundle, *, name: str = "bundle") -> list[CandidateRecord]:
    """The candidates of one FHIR R4 Bundle (one or more Patients, their resources by subject reference)."""
    if (
        not isinstance(bundle, dict)
        or bundle.get("resourceType") != "Bundle"
        or not isinstance(bundle.get("entry"), list)
    ):
        raise CandidateError([f"{name}: not a FHIR Bundle with an entry list"])
    problems: list[str] = []
    patients: dict[str, CandidateRecord] = {}
    facts: list[tuple[str, str, CodedFact, str]] = []
    for number, entry in enumerate(bundle["entry"]):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        where = f"{name} entry[{number}] ({kind or 'no resource'})"
        if kind == "Patient":
            key, birth, sex = _patient(resource, where, problems)
            if key in patients:
                problems.append(f"{where}: candidate {key} appears twice")
            patients[key] = CandidateRecord(key=key, birth_date=birth, sex=sex)
        elif kind in _READERS:
            reference = (
                (resource.get("subject") or {}).get("reference", "")
                if isinstance(resource.get("subject"), dict)
                else ""
            )
            fact = _READERS[kind](resource, where, problems)
            if fact is not None:
                facts.append((reference.removeprefix("Patient/"), kind, fact, where))
        else:
            problems.append(f"{where}: only Patient, Condition, Observation and MedicationStatement are read")
    for key, kind, fact, where in facts:
        if key not in patients:
            problems.append(f"{where}: subject must reference a Patient of this bundle (Patient/<id>)")
            continue
        getattr(
            patients[key], {"Observation": "observations", "Condition": "conditions"}.get(kind, "medications")
        ).append(fact)
    if problems:
        raise CandidateError(problems)
    return list(patients.values())


# CSV template ---------------------------------------------------------------------------------------

CSV_COLUMNS = ("candidate", "birth_date", "sex", "conditions", "medications")
CSV_HELP = (
    "candidate,birth_date,sex,conditions,medications,<LOINC code> [unit],... — conditions and medications "
    'are "system|code|date" separated by ";" (icd10|C50.9|2024-03-01); an observation column is named by '
    'its LOINC code and unit ("751-8 10*9/L") and holds "value" or "value@date".'
)
_SYSTEMS = {
    "icd10": ICD10,
    "snomed": SNOMED,
    "loinc": LOINC,
    "atc": "http://www.whocc.no/atc",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
}


CSV_TEMPLATE = (
    "candidate,birth_date,sex,conditions,medications,89247-1 {score},751-8 10*9/L,718-7 g/dL\n"
    "EXAMPLE-1,1961-04,female,icd10|C50.9|2024-03-01,atc|L02BA01|2025-01-10,1@2025-11-02,2.1@2025-11-02,12.4\n"
)


def _coded_cell(cell: str, where: str, problems: list[str]) -> list[CodedFact]:
    facts = []
    for part in filter(None, (p.strip() for p in cell.split(";"))):
        pieces = part.split("|")
        if len(pieces) not in (2, 3) or pieces[0].lower() not in _SYSTEMS or not pieces[1]:
            problems.append(
                f"{where}: {part!r} is not system|code|date with system one of {', '.join(_SYSTEMS)}"
            )
            continue
        on = _date(pieces[2], where, problems) if len(pieces) == 3 and pieces[2] else None
        facts.append(CodedFact(_SYSTEMS[pieces[0].lower()], pieces[1], on))
    return facts


def _observation_cell(column: str, cell: str, where: str, problems: list[str]) -> CodedFact | None:
    code, _, unit = column.partition(" ")
    value, _, when = cell.partition("@")
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        problems.append(f"{where}: {value!r} is not a number")
        return None
    return CodedFact(LOINC, code, _date(when or None, where, problems), number, unit.strip())


def candidates_from_csv(text: str, *, name: str = "candidates.csv") -> list[CandidateRecord]:
    """The candidates of the CSV template (CSV_HELP); an empty cell is a value not known."""
    try:
        return _candidates_from_csv(text, name=name)
    except csv.Error as error:
        raise CandidateError([f"{name}: not a CSV file the template describes ({error})"]) from None


def _candidates_from_csv(text: str, *, name: str) -> list[CandidateRecord]:
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    if "candidate" not in header:
        raise CandidateError(
            [f"{name}: the header must start with the columns {', '.join(CSV_COLUMNS)} ({CSV_HELP})"]
        )
    observation_columns = [c for c in header if c not in CSV_COLUMNS]
    problems: list[str] = []
    found: dict[str, CandidateRecord] = {}
    for line, row in enumerate(reader, start=2):
        where = f"{name} line {line}"
        key = (row.get("candidate") or "").strip()
        if not KEY_PATTERN.match(key) or key in found:
            problems.append(
                f"{where}: candidate {key!r} must be a new key (letters, digits, . _ -, at most 64)"
            )
            continue
        birth, sex = (row.get("birth_date") or "").strip(), (row.get("sex") or "").strip().lower()
        if birth and not is_birth_date(birth):
            problems.append(f"{where}: birth_date {birth!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        if sex not in SEX_VALUES and sex:
            problems.append(f"{where}: sex {sex!r} is not female, male, other or unknown")
        record = CandidateRecord(key=key, birth_date=birth, sex=SEX_VALUES.get(sex, ""))
        record.conditions = (
            _coded_cell(row.get("conditions") or "", f"{where} conditions", problems)
            if "conditions" in header
            else None
        )
        record.medications = (
            _coded_cell(row.get("medications") or "", f"{where} medications", problems)
            if "medications" in header
            else None
        )
        for column in observation_columns:
            if (cell := (row.get(column) or "").strip()) and (
                fact := _observation_cell(column, cell, f"{where} {column}", problems)
            ):
                record.observations.append(fact)
        found[key] = record
    if problems:
        raise CandidateError(problems)
    return list(found.values())


def read_candidates(path: Path) -> list[CandidateRecord]:
    """Candidates from a file (a Bundle as .json, the template as .csv) or every such file in a folder."""
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in (".json", ".csv"))
        if path.is_dir()
        else [path]
    )
    candidates, problems = [], []
    for file in files:
        try:
            candidates += read_candidate_file(file.name, file.read_bytes())
        except CandidateError as error:
            problems += error.problems
    keys = [c.key for c in candidates]
    problems += [
        f"candidate {key} appears in more than one file"
        for key in sorted({k for k in keys if keys.count(k) > 1})
    ]
    if problems:
        raise CandidateError(problems)
    return candidates


def read_candidate_file(name: str, content: bytes) -> list[CandidateRecord]:
    """The candidates of one uploaded file, by its name's suffix."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CandidateError([f"{name}: not UTF-8 text"]) from None
    if name.lower().endswith(".csv"):
        return candidates_from_csv(text, name=name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CandidateError([f"{name}: not JSON ({error.msg} at line {error.lineno})"]) from None
    return candidates_from_bundle(document, name=name)
