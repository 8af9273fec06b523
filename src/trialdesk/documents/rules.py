"""Pure rules of the essential documents: which documents a study needs, filing checks, expiry, file types."""

import codecs
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.documents import reference

TRIAL, COUNTRY, SITE = "trial", "country", "site"
LEVELS = (TRIAL, COUNTRY, SITE)
LEVEL_NAMES = {TRIAL: "trial", COUNTRY: "country", SITE: "site"}

# States of an expected document.
PRESENT, EXPIRING, EXPIRED, MISSING = "present", "expiring", "expired", "missing"
STATES = (PRESENT, EXPIRING, EXPIRED, MISSING)
# TMF Reference Model milestones (by their number) reached only when the trial or site is closing out.
CLOSE_OUT_MILESTONES = frozenset({"07", "08", "09", "10", "12"})
# Phases whose studies have an investigational product (an investigator's brochure, an authority approval).
NO_INVESTIGATIONAL_PRODUCT = frozenset({"observational"})
# Site roles whose holders are investigators (CV filed as the PI's; financial disclosure).
INVESTIGATOR_ROLE = "investigator"


# Facts the generator works on: plain values loaded by the selectors ------------------------------------


@dataclass(frozen=True)
class StaffFacts:
    user_id: int
    name: str
    role: str  # a site role of core.roles.SITE_STAFF_ROLES


@dataclass(frozen=True)
class ProtocolFacts:
    number: str
    amendment: bool
    in_effect_from: dt.date | None  # effective (else approved) date; None while not yet in effect


@dataclass(frozen=True)
class SiteFacts:
    study_site_id: int
    site_number: str
    country: str
    activated_on: dt.date | None = None
    closed: bool = False
    staff: tuple[StaffFacts, ...] = ()


@dataclass(frozen=True)
class StudyFacts:
    phase: str
    protocol_versions: tuple[ProtocolFacts, ...]  # approved versions, oldest first
    us_ind: bool = False
    local_laboratories: bool = True
    closed_out: bool = False  # the clinical study report stage has been reached


@dataclass(frozen=True)
class Expected:
    """One document the trial master file must hold."""

    level: str
    artifact_number: str
    title: str
    country: str = ""
    study_site_id: int | None = None
    protocol_version: str = ""
    person_id: int | None = None
    milestone: str = ""
    citation: str = ""

    @property
    def key(self) -> tuple:
        """What a filed document must match to satisfy this expectation."""
        return slot_key(
            level=self.level,
            artifact_number=self.artifact_number,
            country=self.country,
            study_site_id=self.study_site_id,
            protocol_version=self.protocol_version,
            person_id=self.person_id,
        )


def slot_key(*, level, artifact_number, country="", study_site_id=None, protocol_version="", person_id=None):
    return (level, artifact_number, country or "", study_site_id, protocol_version or "", person_id)


# The expectation table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """A row of the expectation table: an artifact needed at a level, how many times, and when.

    per: "once"; "version" (each protocol version the level must hold); "original" (the first version
    only); "amendment" (each later version); "investigator", "staff", "coordinator" (each such person).
    when: "always"; "investigational_product"; "us_ind"; "local_laboratories".
    """

    level: str
    artifact_number: str
    title: str
    per: str = "once"
    when: str = "always"
    countries: frozenset[str] = field(default_factory=frozenset)  # empty: every country
    citation: str = ""
    except_countries: frozenset[str] = field(default_factory=frozenset)


EXPECTATIONS = (
    Expectation(TRIAL, "02.01.02", "Protocol (v{version})", per="version", citation="ICH E6(R2) 8.2.2"),
    Expectation(
        TRIAL,
        "02.01.01",
        "Investigator's brochure",
        when="investigational_product",
        citation="ICH E6(R2) 8.2.1",
    ),
    Expectation(TRIAL, "02.02.03", "Informed consent form (master)", citation="ICH E6(R2) 8.2.3"),
    Expectation(TRIAL, "02.01.07", "Sample case report form", citation="ICH E6(R2) 8.2.2"),
    Expectation(TRIAL, "11.01.01", "Statistical analysis plan", citation="ICH E9 5.1"),
    Expectation(TRIAL, "02.03.01", "Clinical study report", citation="ICH E6(R2) 8.4.8"),
    Expectation(
        SITE, "05.02.02", "Protocol signature page (v{version})", per="original", citation="ICH E6(R2) 8.2.2"
    ),
    Expectation(
        SITE, "05.02.03", "Protocol signature page (v{version})", per="amendment", citation="ICH E6(R2) 8.3.2"
    ),
    Expectation(
        SITE, "04.01.02", "Ethics approval (protocol v{version})", per="version", citation="ICH E6(R2) 8.2.7"
    ),
    Expectation(SITE, "02.02.03", "Approved informed consent form", citation="ICH E6(R2) 8.2.3"),
    Expectation(
        SITE,
        "05.02.04",
        "Curriculum vitae: {person} (investigator)",
        per="investigator",
        citation="ICH E6(R2) 8.2.10",
    ),
    Expectation(
        SITE, "05.02.07", "Curriculum vitae: {person}", per="coordinator", citation="ICH E6(R2) 8.2.10"
    ),
    Expectation(SITE, "05.03.03", "GCP certificate: {person}", per="staff", citation="ICH E6(R2) 4.1.1"),
    Expectation(
        SITE, "08.01.01", "Laboratory certification", when="local_laboratories", citation="ICH E6(R2) 8.2.12"
    ),
    Expectation(
        SITE, "08.01.04", "Laboratory normal ranges", when="local_laboratories", citation="ICH E6(R2) 8.2.11"
    ),
    Expectation(SITE, "05.04.08", "Close-out monitoring report", citation="ICH E6(R2) 8.4.5"),
)


@cache
def expectation_table() -> tuple[Expectation, ...]:
    """Every expectation: the table above, the country rules, and the default authority approval."""
    data = reference.country_rules()
    eu = frozenset(data["eu_eea"])
    # Countries the rules file names an authority for (or, like the US under an IND, none) get no default.
    named = frozenset(c for code in data["authorities"] for c in (eu if code == "EU" else {code}))
    return (*EXPECTATIONS, *country_expectations(), default_authority_expectation(named))


@cache
def country_expectations() -> tuple[Expectation, ...]:
    """The per-country rows of reference/country_documents.json as expectations."""
    data = reference.country_rules()
    eu = frozenset(data["eu_eea"])
    rows = []
    for code, authority in data["authorities"].items():
        if authority is None:
            continue
        rows.append(
            Expectation(
                COUNTRY,
                "03.01.02",
                authority["name"] + " (protocol v{version})",
                per="version",
                when="investigational_product",
                countries=eu if code == "EU" else frozenset({code}),
                citation=authority["citation"],
            )
        )
    for extra in data["extra"]:
        countries = frozenset(c for code in extra["countries"] for c in (eu if code == "EU" else {code}))
        rows.append(
            Expectation(
                extra["level"],
                extra["artifact"],
                extra["title"],
                per=extra["per"],
                when=extra["when"],
                countries=countries,
                citation=extra["citation"],
            )
        )
    return tuple(rows)


def default_authority_expectation(named_countries: frozenset[str]) -> Expectation:
    """Countries without an authority of their own in the rules file still need an authority approval."""
    default = reference.country_rules()["default_authority"]
    return Expectation(
        COUNTRY,
        "03.01.02",
        default["name"] + " (protocol v{version})",
        per="version",
        when="investigational_product",
        citation=default["citation"],
        except_countries=named_countries,
    )


def _applies(row: Expectation, study: StudyFacts, country: str) -> bool:
    if row.when == "investigational_product" and study.phase in NO_INVESTIGATIONAL_PRODUCT:
        return False
    if row.when == "us_ind" and not study.us_ind:
        return False
    if row.when == "local_laboratories" and not study.local_laboratories:
        return False
    if country in row.except_countries:
        return False
    return not row.countries or country in row.countries


def versions_needed_at_site(
    versions: tuple[ProtocolFacts, ...], activated_on: dt.date | None
) -> list[ProtocolFacts]:
    """The protocol versions a site's file must cover.

    The current one, and each earlier one still in effect when (or after) the site was activated;
    a site not yet activated needs only the current one.
    """
    if not versions:
        return []
    needed = []
    for earlier, later in zip(versions, versions[1:], strict=False):
        if activated_on is not None and (later.in_effect_from is None or later.in_effect_from > activated_on):
            needed.append(earlier)
    needed.append(versions[-1])
    return needed


def _closing(milestone: str, closed: bool) -> bool:
    """Whether an artifact due only at close-out is not yet due."""
    return milestone[:2] in CLOSE_OUT_MILESTONES and not closed


def _expand(row: Expectation, *, versions, staff, base: dict, milestone: str) -> Iterator[Expected]:
    if row.per == "once":
        yield Expected(title=row.title, **base, milestone=milestone, citation=row.citation)
    elif row.per in ("version", "original", "amendment"):
        for version in versions:
            if (
                row.per == "original"
                and version.amendment
                or row.per == "amendment"
                and not version.amendment
            ):
                continue
            title = row.title.format(version=version.number)
            yield Expected(
                title=title,
                protocol_version=version.number,
                **base,
                milestone=milestone,
                citation=row.citation,
            )
    else:
        for person in staff:
            if row.per == "investigator" and person.role != INVESTIGATOR_ROLE:
                continue
            if row.per == "coordinator" and person.role == INVESTIGATOR_ROLE:
                continue
            title = row.title.format(person=person.name)
            yield Expected(
                title=title, person_id=person.user_id, **base, milestone=milestone, citation=row.citation
            )


def expected_documents(
    study: StudyFacts,
    sites: Iterable[SiteFacts],
    *,
    versions_override: tuple[ProtocolFacts, ...] | None = None,
    levels: tuple[str, ...] = LEVELS,
) -> list[Expected]:
    """The study's expected-document list: trial, then each country with sites, then each site.

    `versions_override` asks what the level needs for exactly those protocol versions (an amendment
    being implemented), instead of the versions each level must cover; `levels` limits the list.
    """
    sites = list(sites)
    table = expectation_table()
    found: list[Expected] = []
    for row in table if TRIAL in levels else ():
        if row.level == TRIAL and _applies(row, study, ""):
            found.extend(_generate(row, study=study, versions=versions_override or study.protocol_versions))
    for country in sorted({site.country for site in sites}) if COUNTRY in levels else ():
        for row in table:
            if row.level == COUNTRY and _applies(row, study, country):
                versions = versions_override or study.protocol_versions
                found.extend(_generate(row, study=study, versions=versions, country=country))
    for site in sites:
        versions = versions_override or tuple(
            versions_needed_at_site(study.protocol_versions, site.activated_on)
        )
        for row in table:
            if row.level == SITE and _applies(row, study, site.country):
                found.extend(_generate(row, study=study, versions=versions, site=site))
    return found


def _generate(
    row: Expectation, *, study: StudyFacts, versions, country: str = "", site: SiteFacts | None = None
):
    item = reference.artifact(row.artifact_number)
    milestone = item.milestone_at(row.level) if item else ""
    closed = site.closed if site else study.closed_out
    if _closing(milestone, closed):
        return []
    base = {
        "level": row.level,
        "artifact_number": row.artifact_number,
        "country": site.country if site else country,
        "study_site_id": site.study_site_id if site else None,
    }
    return _expand(row, versions=versions, staff=site.staff if site else (), base=base, milestone=milestone)


def default_title(*, level: str, artifact_number: str, version: str = "", person: str = "") -> str:
    """The title a filed document gets when the filer gives none: the expectation's, else the artifact's."""
    for row in expectation_table():
        if row.level == level and row.artifact_number == artifact_number:
            if ("{version}" in row.title) == bool(version) and ("{person}" in row.title) == bool(person):
                return row.title.format(version=version, person=person)
    item = reference.artifact(artifact_number)
    title = item.name if item else artifact_number
    if version:
        title += f" (protocol v{version})"
    if person:
        title += f": {person}"
    return title


VERSION_BOUND = frozenset({"version", "original", "amendment"})
PERSON_BOUND = frozenset({"investigator", "coordinator", "staff"})


def slot_problem(*, level: str, artifact_number: str, has_version: bool, has_person: bool) -> dict[str, str]:
    """A document the expectation table files per protocol version or per person must say which one;
    otherwise it could never count as the expected document."""
    rows = [
        row
        for row in (*EXPECTATIONS, *country_expectations())
        if row.level == level and row.artifact_number == artifact_number
    ]
    item = reference.artifact(artifact_number)
    name = item.name if item else artifact_number
    if rows and all(row.per in VERSION_BOUND for row in rows) and not has_version:
        return {"protocol_version": f"{name} is filed per protocol version: choose the version it is for."}
    if rows and all(row.per in PERSON_BOUND for row in rows) and not has_person:
        return {"person": f"{name} is filed per person: choose whose it is."}
    return {}


# Filing checks -----------------------------------------------------------------------------------------


def filing_problem(*, artifact_number: str, level: str, has_site: bool, country: str) -> dict[str, str]:
    """What is wrong with filing a document against this artifact at this level ({} when nothing)."""
    item = reference.artifact(artifact_number)
    if item is None:
        version = reference.model_version()
        return {
            "artifact_number": f"There is no artifact {artifact_number!r} in the TMF Reference Model "
            f"v{version}."
        }
    if level not in LEVELS:
        return {"level": "Choose trial, country or site."}
    if level not in item.levels:
        where = ", ".join(item.levels) or "no level"
        return {"level": f"{item.label} is not filed at {level} level (the model files it at: {where})."}
    if level == SITE and not has_site:
        return {"study_site": "A site-level document needs its site."}
    if level != SITE and has_site:
        return {"study_site": f"A {level}-level document belongs to no site."}
    if level == COUNTRY and not country:
        return {"country": "A country-level document needs its country."}
    if level == TRIAL and country:
        return {"country": "A trial-level document belongs to no country."}
    return {}


def expiry_problem(document_date: dt.date | None, expires_on: dt.date | None) -> str:
    if document_date and expires_on and expires_on < document_date:
        return "The expiry date is before the document's date."
    return ""


def expiry_state(expires_on: dt.date | None, *, today: dt.date, warning_days: int) -> str:
    """present, expiring (expires within `warning_days`) or expired; `expires_on` is the last valid day."""
    if expires_on is None:
        return PRESENT
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + dt.timedelta(days=warning_days):
        return EXPIRING
    return PRESENT


def completeness(states: Iterable[str]) -> tuple[int, int]:
    """(documents on file and in date, documents expected); an expired document counts as not on file."""
    states = list(states)
    return sum(1 for s in states if s in (PRESENT, EXPIRING)), len(states)


# File types --------------------------------------------------------------------------------------------

ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    media_type: str
    magic: tuple[bytes, ...]  # empty: plain text
    zip_member: str = ""  # an Office Open XML file must hold this folder


FILE_TYPES = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".tif": FileType("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".tiff": FileType("image/tiff", (b"II*\x00", b"MM\x00*")),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP_MAGIC,), "word/"
    ),
    ".xlsx": FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP_MAGIC,), "xl/"
    ),
    ".txt": FileType("text/plain", ()),
    ".csv": FileType("text/csv", ()),
}


def extension(filename: str) -> str:
    name = (filename or "").strip().lower()
    return name[name.rfind(".") :] if "." in name else ""


def file_type_problem(filename: str, head: bytes) -> str:
    """Why a file of this name starting with `head` may not be filed ('' when it may)."""
    ext = extension(filename)
    kind = FILE_TYPES.get(ext)
    if kind is None:
        allowed = ", ".join(sorted(FILE_TYPES))
        return f"Files of type {ext or '(no extension)'!r} are not accepted; allowed: {allowed}."
    if not head:
        return "The file is empty."
    if kind.magic:
        if not any(head.startswith(magic) for magic in kind.magic):
            return f"The file's content is not {ext[1:].upper()}, whatever its name says."
        return ""
    if b"\x00" in head:
        return "A text file may not hold binary content."
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "A text file must be UTF-8 text."
    return ""


# Health: essential documents --------------------------------------------------------------------------

#: Missing documents above this share of the expected list (in percent) make compliance red.
MISSING_RED_PERCENT = 20


def documents_health(
    *,
    expected: int,
    missing: int,
    expired: int,
    expiring: int,
    red_missing_percent: int = MISSING_RED_PERCENT,
) -> tuple[str, str]:
    """(colour, why) of a study's essential documents: red when one has expired or more than
    `red_missing_percent` of those expected are missing, amber when any is missing or expiring, green when
    all are on file and in date; unknown while nothing is expected yet."""
    if not expected:
        return UNKNOWN, "no essential documents expected yet"
    counts = [
        f"{n} {what}" for n, what in ((missing, "missing"), (expired, "expired"), (expiring, "expiring")) if n
    ]
    if not counts:
        return GREEN, f"all {expected} expected documents on file and in date"
    why = f"{', '.join(counts)} of {expected} expected documents"
    if expired or missing * 100 > red_missing_percent * expected:
        return RED, why
    return AMBER, why
