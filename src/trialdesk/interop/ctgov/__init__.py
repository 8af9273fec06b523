"""ClinicalTrials.gov API v2 study records parsed into plain dataclasses, defensively and without Django.

Every field of a record may be missing (records fetched with a `fields=` projection lack whole modules).
A problem that makes the record unusable (no NCT number, an unknown country, a location without a
facility, a value of the wrong JSON type) raises RecordError naming the JSON path; a problem the import
can live with becomes a warning with its path. Field names follow the API's OpenAPI document
(`ctg-oas-v2.yaml`, published by the U.S. National Library of Medicine). `applicability` reads the few
facts of the FDAAA 801 test from a stored record without parsing it whole.

Countries are matched to ISO 3166-1 codes with pycountry, plus the registry's older spellings
(countries.py). Time zones come from the geo point (timezonefinder's bundled boundary data), else from
the country when all its zones keep the same clock (the IANA `zone.tab` shipped in the tzdata package),
else the first zone `zone.tab` lists for the country, with a warning naming it; UTC with a warning as the
last resort.

The format's interface is what this package names below, as for interop.odm: `model` (the dataclasses
and errors), `files` (reading documents), `parser` (one record), `countries` (codes and time zones).
"""

from trialdesk.interop.ctgov.applicability import RegistryFlags, registry_flags
from trialdesk.interop.ctgov.countries import country_code, time_zone_for
from trialdesk.interop.ctgov.files import files_in, read_document, records_in
from trialdesk.interop.ctgov.model import (
    ArmGroup,
    DocumentError,
    Intervention,
    Location,
    Outcome,
    Problem,
    RecordError,
    RecordSource,
    RegistryDate,
    RegistryStudy,
)
from trialdesk.interop.ctgov.parser import parse_record

__all__ = [
    "ArmGroup",
    "DocumentError",
    "Intervention",
    "Location",
    "Outcome",
    "Problem",
    "RecordError",
    "RecordSource",
    "RegistryDate",
    "RegistryFlags",
    "RegistryStudy",
    "country_code",
    "files_in",
    "parse_record",
    "read_document",
    "records_in",
    "registry_flags",
    "time_zone_for",
]
