"""Which essential documents a study needs: the facts it works on, the expectation table, the generator."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from trialdesk.documents import reference

TRIAL, COUNTRY, SITE = "trial", "country", "site"
LEVELS = (TRIAL, COUNTRY, SITE)
LEVEL_NAMES = {TRIAL: "trial", COUNTRY: "country", SITE: "site"}


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
