"""ClinicalTrials.gov API v2 study records parsed into plain dataclasses, defensively and without Django.

Every field of a record may be missing (records fetched with a `fields=` projection lack whole modules).
A problem that makes the record unusable (no NCT number, an unknown country, a location without a
facility, a value of the wrong JSON type) raises RecordError naming the JSON path; a problem the import
can live with becomes a warning with its path. Field names follow the API's OpenAPI document
(`ctg-oas-v2.yaml`, published by the U.S. National Library of Medicine).

Countries are matched to ISO 3166-1 codes with pycountry, plus the registry's older spellings below.
Time zones come from the geo point (timezonefinder's bundled boundary data), else from the country when
all its zones keep the same clock (the IANA `zone.tab` shipped in the tzdata package), else the first
zone `zone.tab` lists for the country, with a warning naming it; UTC with a warning as the last resort.
"""

import datetime as dt
import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import pycountry

NCT_PATTERN = re.compile(r"^NCT\d{8}$")
# Country names the registry uses that pycountry does not know by that spelling.
COUNTRY_ALIASES = {
    "turkey": "TR",
    "türkiye": "TR",
    "macedonia, the former yugoslav republic of": "MK",
    "north macedonia": "MK",
    "libyan arab jamahiriya": "LY",
    "palestinian territory, occupied": "PS",
    "palestinian territories, occupied": "PS",
    "virgin islands (u.s.)": "VI",
    "cape verde": "CV",
    "swaziland": "SZ",
    "democratic republic of the congo": "CD",
    "russia": "RU",
    "korea, south": "KR",
    "netherlands antilles": "CW",
    "saint martin": "MF",
    "former serbia and montenegro": "RS",
    "burma": "MM",
    "east timor": "TL",
    "holland": "NL",
}
DATE_FORMATS = (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year"))
# A file is read whole into memory; the registry's own pages are a few megabytes.
MAX_FILE_BYTES = 200 * 2**20


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


# Reading files ----------------------------------------------------------------------------------------


def read_document(path: Path):
    """The JSON value of a .json or .json.gz file; DocumentError says why it cannot be read."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise DocumentError(f"cannot be read: {error}") from error
    if size > MAX_FILE_BYTES:
        raise DocumentError(
            f"{size / 2**20:.0f} MB is over the {MAX_FILE_BYTES // 2**20} MB limit; split it into pages"
        )
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise DocumentError(
            f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from error
    except (OSError, UnicodeDecodeError, EOFError) as error:
        raise DocumentError(f"cannot be read: {error}") from error


def records_in(document, *, file: str = "") -> Iterator[tuple[RecordSource, object]]:
    """Each study record in a document: one record, a page `{"studies": [...]}`, or a list of records."""
    if isinstance(document, dict) and "studies" in document and "protocolSection" not in document:
        studies = document["studies"]
        if not isinstance(studies, list):
            raise DocumentError("$.studies: expected a list of study records")
        for index, record in enumerate(studies):
            yield RecordSource(file, f"$.studies[{index}]"), record
    elif isinstance(document, list):
        for index, record in enumerate(document):
            yield RecordSource(file, f"$[{index}]"), record
    elif isinstance(document, dict):
        yield RecordSource(file, "$"), document
    else:
        raise DocumentError("$: expected a study record, a list of records or a page with 'studies'")


def files_in(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the .json/.json.gz files inside the directories named, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_json_name(p.name))
        else:
            yield path


def _is_json_name(name: str) -> bool:
    return name.endswith(".json") or name.endswith(".json.gz")


# Parsing one record -----------------------------------------------------------------------------------


class _Reader:
    """Typed look-ups into a record that collect problems with their JSON path instead of failing fast."""

    def __init__(self, base: str):
        self.base = base
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.skip_unnamed_locations = False

    def at(self, path: str) -> str:
        return f"{self.base}.{path}" if path else self.base

    def obj(self, value, path: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.errors.append(Problem(self.at(path), "expected a JSON object"))
            return {}
        return value

    def items(self, value, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors.append(Problem(self.at(path), "expected a JSON list"))
            return []
        return value

    def text(self, value, path: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.errors.append(Problem(self.at(path), "expected text"))
            return ""
        return value.strip()

    def texts(self, value, path: str) -> tuple[str, ...]:
        found = []
        for index, item in enumerate(self.items(value, path)):
            text = self.text(item, f"{path}[{index}]")
            if text:
                found.append(text)
        return tuple(found)

    def boolean(self, value, path: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.errors.append(Problem(self.at(path), "expected true or false"))
        return None

    def integer(self, value, path: str) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.errors.append(Problem(self.at(path), "expected a whole number, 0 or more"))
            return None
        return value

    def number(self, value, path: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.errors.append(Problem(self.at(path), "expected a number"))
            return None
        return float(value)

    def date(self, value, path: str) -> tuple[dt.date, str] | None:
        text = self.text(value, path)
        if not text:
            return None
        for fmt, precision in DATE_FORMATS:
            try:
                # A calendar date, not a moment: no time zone applies.
                return dt.datetime.strptime(text, fmt).date(), precision  # noqa: DTZ007
            except ValueError:
                continue
        self.errors.append(Problem(self.at(path), f"'{text}' is not a date (YYYY-MM-DD or YYYY-MM)"))
        return None

    def plain_date(self, value, path: str) -> dt.date | None:
        found = self.date(value, path)
        return found[0] if found else None

    def date_struct(self, value, path: str) -> RegistryDate | None:
        struct = self.obj(value, path)
        found = self.date(struct.get("date"), f"{path}.date")
        if not found:
            return None
        kind = self.text(struct.get("type"), f"{path}.type").upper()
        if kind not in ("", "ACTUAL", "ESTIMATED"):
            self.warnings.append(Problem(self.at(f"{path}.type"), f"unknown date type '{kind}', ignored"))
            kind = ""
        return RegistryDate(found[0], kind, found[1])


def parse_record(record, *, base: str = "$", skip_unnamed_locations: bool = False) -> RegistryStudy:
    """One API v2 study record as a RegistryStudy; RecordError lists every problem with its JSON path.

    A location without a facility name is an error, unless `skip_unnamed_locations`: then it is left
    out with a warning (some sponsors publish only the cities of their sites).
    """
    read = _Reader(base)
    read.skip_unnamed_locations = skip_unnamed_locations
    root = read.obj(record, "")
    if read.errors:
        raise RecordError(read.errors)
    protocol = read.obj(root.get("protocolSection"), "protocolSection")
    module = {
        name: read.obj(protocol.get(name), f"protocolSection.{name}")
        for name in (
            "identificationModule",
            "statusModule",
            "sponsorCollaboratorsModule",
            "oversightModule",
            "descriptionModule",
            "conditionsModule",
            "designModule",
            "armsInterventionsModule",
            "outcomesModule",
            "eligibilityModule",
            "contactsLocationsModule",
        )
    }
    ident = module["identificationModule"]
    nct = read.text(ident.get("nctId"), "protocolSection.identificationModule.nctId").upper()
    if not nct:
        read.errors.append(Problem(read.at("protocolSection.identificationModule.nctId"), "no NCT number"))
    elif not NCT_PATTERN.match(nct):
        read.errors.append(
            Problem(
                read.at("protocolSection.identificationModule.nctId"),
                f"'{nct}' is not an NCT number ('NCT' and 8 digits)",
            )
        )
    values = {
        "nct_number": nct,
        **_identification(read, ident),
        **_status(read, module["statusModule"]),
        **_sponsors(read, module["sponsorCollaboratorsModule"]),
        **_design(read, module["designModule"]),
        **_arms(read, module["armsInterventionsModule"]),
        **_outcomes(read, module["outcomesModule"]),
        **_eligibility(read, module["eligibilityModule"]),
    }
    oversight = module["oversightModule"]
    prefix = "protocolSection.oversightModule"
    values["is_fda_regulated_drug"] = read.boolean(
        oversight.get("isFdaRegulatedDrug"), f"{prefix}.isFdaRegulatedDrug"
    )
    values["is_fda_regulated_device"] = read.boolean(
        oversight.get("isFdaRegulatedDevice"), f"{prefix}.isFdaRegulatedDevice"
    )
    values["brief_summary"] = read.text(
        module["descriptionModule"].get("briefSummary"), "protocolSection.descriptionModule.briefSummary"
    )
    values["conditions"] = read.texts(
        module["conditionsModule"].get("conditions"), "protocolSection.conditionsModule.conditions"
    )
    values["has_results"] = read.boolean(root.get("hasResults"), "hasResults")
    values["locations"] = _locations(read, module["contactsLocationsModule"])
    if read.errors:
        raise RecordError(read.errors)
    return RegistryStudy(**values, warnings=tuple(read.warnings), raw=root)


def _identification(read: _Reader, ident: dict) -> dict:
    p = "protocolSection.identificationModule"
    return {
        "org_study_id": read.text(
            read.obj(ident.get("orgStudyIdInfo"), f"{p}.orgStudyIdInfo").get("id"), f"{p}.orgStudyIdInfo.id"
        ),
        "brief_title": read.text(ident.get("briefTitle"), f"{p}.briefTitle"),
        "official_title": read.text(ident.get("officialTitle"), f"{p}.officialTitle"),
        "acronym": read.text(ident.get("acronym"), f"{p}.acronym"),
    }


def _status(read: _Reader, status: dict) -> dict:
    p = "protocolSection.statusModule"

    def posted(name: str) -> dt.date | None:
        return read.plain_date(read.obj(status.get(name), f"{p}.{name}").get("date"), f"{p}.{name}.date")

    return {
        "overall_status": read.text(status.get("overallStatus"), f"{p}.overallStatus").upper(),
        "last_known_status": read.text(status.get("lastKnownStatus"), f"{p}.lastKnownStatus").upper(),
        "start": read.date_struct(status.get("startDateStruct"), f"{p}.startDateStruct"),
        "primary_completion": read.date_struct(
            status.get("primaryCompletionDateStruct"), f"{p}.primaryCompletionDateStruct"
        ),
        "completion": read.date_struct(status.get("completionDateStruct"), f"{p}.completionDateStruct"),
        "first_submitted_on": read.plain_date(
            status.get("studyFirstSubmitDate"), f"{p}.studyFirstSubmitDate"
        ),
        "results_first_submitted_on": read.plain_date(
            status.get("resultsFirstSubmitDate"), f"{p}.resultsFirstSubmitDate"
        ),
        "last_update_submitted_on": read.plain_date(
            status.get("lastUpdateSubmitDate"), f"{p}.lastUpdateSubmitDate"
        ),
        "last_update_posted_on": posted("lastUpdatePostDateStruct"),
    }


def _sponsors(read: _Reader, sponsors: dict) -> dict:
    p = "protocolSection.sponsorCollaboratorsModule"
    lead = read.obj(sponsors.get("leadSponsor"), f"{p}.leadSponsor")
    collaborators = []
    for index, item in enumerate(read.items(sponsors.get("collaborators"), f"{p}.collaborators")):
        name = read.text(
            read.obj(item, f"{p}.collaborators[{index}]").get("name"), f"{p}.collaborators[{index}].name"
        )
        if name:
            collaborators.append(name)
    return {
        "lead_sponsor": read.text(lead.get("name"), f"{p}.leadSponsor.name"),
        "collaborators": tuple(collaborators),
    }


def _design(read: _Reader, design: dict) -> dict:
    p = "protocolSection.designModule"
    enrollment = read.obj(design.get("enrollmentInfo"), f"{p}.enrollmentInfo")
    info = read.obj(design.get("designInfo"), f"{p}.designInfo")
    masking = read.obj(info.get("maskingInfo"), f"{p}.designInfo.maskingInfo")
    return {
        "study_type": read.text(design.get("studyType"), f"{p}.studyType").upper(),
        "phases": tuple(t.upper() for t in read.texts(design.get("phases"), f"{p}.phases")),
        "masking": read.text(masking.get("masking"), f"{p}.designInfo.maskingInfo.masking").upper(),
        "enrollment_count": read.integer(enrollment.get("count"), f"{p}.enrollmentInfo.count"),
        "enrollment_type": read.text(enrollment.get("type"), f"{p}.enrollmentInfo.type").upper(),
    }


def _arms(read: _Reader, arms: dict) -> dict:
    p = "protocolSection.armsInterventionsModule"
    groups = []
    for index, item in enumerate(read.items(arms.get("armGroups"), f"{p}.armGroups")):
        at = f"{p}.armGroups[{index}]"
        group = read.obj(item, at)
        label = read.text(group.get("label"), f"{at}.label")
        if not label:
            read.warnings.append(Problem(read.at(f"{at}.label"), "arm group without a label, skipped"))
            continue
        groups.append(
            ArmGroup(
                label=label,
                type=read.text(group.get("type"), f"{at}.type").upper(),
                description=read.text(group.get("description"), f"{at}.description"),
                intervention_names=read.texts(group.get("interventionNames"), f"{at}.interventionNames"),
            )
        )
    interventions = []
    for index, item in enumerate(read.items(arms.get("interventions"), f"{p}.interventions")):
        at = f"{p}.interventions[{index}]"
        entry = read.obj(item, at)
        interventions.append(
            Intervention(
                type=read.text(entry.get("type"), f"{at}.type").upper(),
                name=read.text(entry.get("name"), f"{at}.name"),
                description=read.text(entry.get("description"), f"{at}.description"),
            )
        )
    return {"arm_groups": tuple(groups), "interventions": tuple(interventions)}


def _outcomes(read: _Reader, outcomes: dict) -> dict:
    p = "protocolSection.outcomesModule"
    found = {}
    for key, name in (("primary_outcomes", "primaryOutcomes"), ("secondary_outcomes", "secondaryOutcomes")):
        listed = []
        for index, item in enumerate(read.items(outcomes.get(name), f"{p}.{name}")):
            at = f"{p}.{name}[{index}]"
            entry = read.obj(item, at)
            listed.append(
                Outcome(
                    measure=read.text(entry.get("measure"), f"{at}.measure"),
                    time_frame=read.text(entry.get("timeFrame"), f"{at}.timeFrame"),
                    description=read.text(entry.get("description"), f"{at}.description"),
                )
            )
        found[key] = tuple(listed)
    return found


def _eligibility(read: _Reader, eligibility: dict) -> dict:
    p = "protocolSection.eligibilityModule"
    return {
        "eligibility_criteria": read.text(eligibility.get("eligibilityCriteria"), f"{p}.eligibilityCriteria"),
        "sex": read.text(eligibility.get("sex"), f"{p}.sex"),
        "minimum_age": read.text(eligibility.get("minimumAge"), f"{p}.minimumAge"),
        "maximum_age": read.text(eligibility.get("maximumAge"), f"{p}.maximumAge"),
        "healthy_volunteers": read.boolean(eligibility.get("healthyVolunteers"), f"{p}.healthyVolunteers"),
    }


def _locations(read: _Reader, contacts: dict) -> tuple[Location, ...]:
    p = "protocolSection.contactsLocationsModule.locations"
    found = []
    for index, item in enumerate(read.items(contacts.get("locations"), p)):
        at = f"{p}[{index}]"
        entry = read.obj(item, at)
        facility = read.text(entry.get("facility"), f"{at}.facility")
        city = read.text(entry.get("city"), f"{at}.city")
        country_name = read.text(entry.get("country"), f"{at}.country")
        geo = read.obj(entry.get("geoPoint"), f"{at}.geoPoint")
        lat = read.number(geo.get("lat"), f"{at}.geoPoint.lat")
        lon = read.number(geo.get("lon"), f"{at}.geoPoint.lon")
        if not facility and read.skip_unnamed_locations:
            read.warnings.append(
                Problem(read.at(f"{at}.facility"), "location without a facility name, skipped")
            )
            continue
        if not facility:
            read.errors.append(Problem(read.at(f"{at}.facility"), "location without a facility name"))
        if not city:
            read.errors.append(Problem(read.at(f"{at}.city"), "location without a city"))
        country = country_code(country_name)
        if not country_name:
            read.errors.append(Problem(read.at(f"{at}.country"), "location without a country"))
        elif country is None:
            read.errors.append(Problem(read.at(f"{at}.country"), f"unknown country name '{country_name}'"))
        if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
            read.errors.append(Problem(read.at(f"{at}.geoPoint"), f"({lat}, {lon}) is not a point on Earth"))
            lat = lon = None
        zone = ""
        if country:
            zone, warning = time_zone_for(country, lat, lon)
            if warning:
                read.warnings.append(Problem(read.at(at), warning))
        found.append(
            Location(
                path=read.at(at),
                facility=facility,
                city=city,
                state=read.text(entry.get("state"), f"{at}.state"),
                zip=read.text(entry.get("zip"), f"{at}.zip"),
                country_name=country_name,
                country=country or "",
                status=read.text(entry.get("status"), f"{at}.status").upper(),
                latitude=lat,
                longitude=lon,
                time_zone=zone,
            )
        )
    return tuple(found)


# Countries and time zones -----------------------------------------------------------------------------


@cache
def country_code(name: str) -> str | None:
    """ISO 3166-1 alpha-2 code of a country as ClinicalTrials.gov names it, or None when unknown."""
    if not name:
        return None
    alias = COUNTRY_ALIASES.get(name.strip().casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(name.strip()).alpha_2
    except LookupError:
        return None


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """Country code → its IANA zones, in the order of tzdata's zone.tab (most populous region first)."""
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo/zone.tab").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, _, zone, *_ = line.split("\t")
        zones.setdefault(code, []).append(zone)
    return {code: tuple(found) for code, found in zones.items()}


def _same_clock(zones: tuple[str, ...]) -> bool:
    """Whether every zone keeps the same UTC offsets in winter and summer (Germany's Büsingen does)."""
    from zoneinfo import ZoneInfo

    moments = (dt.datetime(2025, 1, 15, 12, tzinfo=dt.UTC), dt.datetime(2025, 7, 15, 12, tzinfo=dt.UTC))
    offsets = {tuple(moment.astimezone(ZoneInfo(zone)).utcoffset() for moment in moments) for zone in zones}
    return len(offsets) == 1


@cache
def _finder():
    from timezonefinder import TimezoneFinder

    return TimezoneFinder(in_memory=True)


@cache
def time_zone_for(country: str, latitude: float | None, longitude: float | None) -> tuple[str, str | None]:
    """(IANA zone, warning or None) for a site: the geo point's zone, else the country's zone when all its
    zones keep the same clock, else the country's first listed zone (warned), else UTC (warned).

    A point at sea (an `Etc/` zone) is not trusted when the country has zones of its own.
    """
    zones = _zones_by_country().get(country, ())
    if latitude is not None and longitude is not None:
        found = _finder().timezone_at(lng=longitude, lat=latitude)
        if found and not (zones and found.startswith("Etc/")):
            return found, None
    if zones and _same_clock(zones):
        return zones[0], None
    if zones:
        guess = zones[0]
        return guess, f"time zone {guess} assumed for {country}, which has several; check the institution"
    return "UTC", f"no time zone known for country {country}; UTC assumed, set the institution's time zone"
