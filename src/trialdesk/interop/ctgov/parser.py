"""One ClinicalTrials.gov API v2 study record parsed into a RegistryStudy, each problem with its JSON path."""

import datetime as dt
import re

from trialdesk.interop.ctgov.countries import country_code, time_zone_for
from trialdesk.interop.ctgov.model import (
    ArmGroup,
    Intervention,
    Location,
    Outcome,
    Problem,
    RecordError,
    RegistryDate,
    RegistryStudy,
)

NCT_PATTERN = re.compile(r"^NCT\d{8}$")


DATE_FORMATS = (("%Y-%m-%d", "day"), ("%Y-%m", "month"), ("%Y", "year"))


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
