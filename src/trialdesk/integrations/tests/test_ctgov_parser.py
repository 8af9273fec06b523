"""The ClinicalTrials.gov parser (interop.ctgov) against the real records in tests/data/ctgov/."""

import copy
import datetime as dt
import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.reference_data import REFERENCE_DATA
from trialdesk.interop import ctgov

CTGOV_DATA = REFERENCE_DATA / "ctgov"
FULL = sorted((CTGOV_DATA / "v2").glob("*.json"))
PARTIAL = sorted((CTGOV_DATA / "v2_partial").glob("*.json"))
LOCATION = "$.protocolSection.contactsLocationsModule.locations[0]"


def load(name: str) -> dict:
    folder = "v2_partial" if (CTGOV_DATA / "v2_partial" / f"{name}.json").exists() else "v2"
    return json.loads((CTGOV_DATA / folder / f"{name}.json").read_text())


def problems_of(record, **options) -> list[str]:
    with pytest.raises(ctgov.RecordError) as raised:
        ctgov.parse_record(record, **options)
    return [str(p) for p in raised.value.problems]


def test_every_reference_record_is_found():
    assert len(FULL) == 8 and len(PARTIAL) == 5


@pytest.mark.parametrize("path", FULL + PARTIAL, ids=lambda p: p.stem)
def test_every_reference_record_parses_or_names_its_unnamed_locations(path):
    record = json.loads(path.read_text())
    parsed = ctgov.parse_record(record, skip_unnamed_locations=True)
    assert parsed.nct_number == path.stem
    assert all(location.country and location.time_zone for location in parsed.locations)


def test_full_record_maps_titles_status_design_and_dates():
    parsed = ctgov.parse_record(load("NCT00763412"))
    assert parsed.brief_title.startswith("Pilot and Feasibility Study for the Treatment of Pre-diabetes")
    assert parsed.official_title == parsed.brief_title
    assert parsed.overall_status == "COMPLETED"
    assert parsed.phases == ("NA",)
    assert parsed.study_type == "INTERVENTIONAL"
    assert parsed.masking == "QUADRUPLE"
    assert parsed.lead_sponsor == "Arbelaez, Ana Maria"
    assert "Novo Nordisk A/S" in parsed.collaborators
    assert parsed.conditions == ("Cystic Fibrosis Related Diabetes", "Pancreatic Insufficiency")
    assert [arm.label for arm in parsed.arm_groups] == ["1 Placebo", "2. repaglinide"]
    assert parsed.arm_groups[1].intervention_names == ("Drug: repaglinide",)
    assert parsed.primary_outcomes[0].measure == "BMI"
    assert len(parsed.secondary_outcomes) >= 4
    assert (parsed.enrollment_count, parsed.enrollment_type) == (31, "ACTUAL")
    # A month-only date reads as the 1st and keeps its precision; this old record gives no type.
    assert parsed.start == ctgov.RegistryDate(dt.date(2006, 11, 1), "", "month")
    assert parsed.primary_completion == ctgov.RegistryDate(dt.date(2013, 1, 1), "ACTUAL", "month")
    assert parsed.first_submitted_on == dt.date(2008, 9, 29)
    assert parsed.results_first_submitted_on == dt.date(2016, 7, 11)
    assert parsed.last_update_posted_on == dt.date(2017, 6, 5)
    assert parsed.is_fda_regulated is True
    assert "Inclusion Criteria" in parsed.eligibility_summary


def test_location_gets_iso_country_geo_point_and_time_zone():
    (location,) = ctgov.parse_record(load("NCT00763412")).locations
    assert location.facility == "Washington University School of Medicine"
    assert (location.city, location.state, location.zip) == ("Saint Louis", "Missouri", "63110")
    assert (location.country_name, location.country) == ("United States", "US")
    assert (location.latitude, location.longitude) == (38.62727, -90.19789)
    assert location.time_zone == "America/Chicago"
    assert location.path == "$.protocolSection.contactsLocationsModule.locations[0]"


def test_record_with_105_sites_in_many_countries_keeps_every_location():
    parsed = ctgov.parse_record(load("NCT02552212"))
    assert len(parsed.locations) == 105
    assert {loc.country for loc in parsed.locations} == {"AU", "BG", "CA", "CZ", "HU", "PL", "RU", "TW", "US"}


def test_partial_record_without_most_modules_parses_with_defaults():
    parsed = ctgov.parse_record(load("NCT01525901"))
    assert parsed.overall_status == "COMPLETED"
    assert parsed.locations == () and parsed.arm_groups == ()
    assert parsed.enrollment_type == ""


def test_record_without_nct_number_is_refused_naming_the_path():
    record = load("NCT00184067")
    del record["protocolSection"]["identificationModule"]["nctId"]
    assert problems_of(record) == ["$.protocolSection.identificationModule.nctId: no NCT number"]


def test_empty_object_is_a_record_without_nct_number():
    assert problems_of({}) == ["$.protocolSection.identificationModule.nctId: no NCT number"]


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda r: r["protocolSection"]["contactsLocationsModule"]["locations"][0].update(
                country="Atlantis"
            ),
            f"{LOCATION}.country: unknown country name 'Atlantis'",
        ),
        (
            lambda r: r["protocolSection"]["contactsLocationsModule"]["locations"][0].pop("facility"),
            f"{LOCATION}.facility: location without a facility name",
        ),
        (
            lambda r: r["protocolSection"]["designModule"]["enrollmentInfo"].update(count="many"),
            "$.protocolSection.designModule.enrollmentInfo.count: expected a whole number, 0 or more",
        ),
        (
            lambda r: r["protocolSection"]["statusModule"].update(startDateStruct={"date": "soon"}),
            "$.protocolSection.statusModule.startDateStruct.date: "
            "'soon' is not a date (YYYY-MM-DD or YYYY-MM)",
        ),
        (
            lambda r: r["protocolSection"].update(conditionsModule=["not", "an", "object"]),
            "$.protocolSection.conditionsModule: expected a JSON object",
        ),
        (
            lambda r: r["protocolSection"]["identificationModule"].update(nctId="NCT123"),
            "$.protocolSection.identificationModule.nctId: "
            "'NCT123' is not an NCT number ('NCT' and 8 digits)",
        ),
    ],
    ids=[
        "unknown country",
        "no facility",
        "count not a number",
        "bad date",
        "module not an object",
        "bad NCT",
    ],
)
def test_bad_values_are_refused_with_their_json_path(change, expected):
    record = copy.deepcopy(load("NCT00763412"))
    change(record)
    assert problems_of(record) == [expected]


def test_unnamed_locations_may_be_skipped_with_a_warning():
    parsed = ctgov.parse_record(load("NCT02210780"), skip_unnamed_locations=True)
    assert parsed.locations == ()
    assert len(parsed.warnings) == 42
    assert str(parsed.warnings[0]) == (f"{LOCATION}.facility: location without a facility name, skipped")


def test_problem_paths_start_from_the_record_inside_a_page():
    page = {"studies": [load("NCT00763412"), {"protocolSection": {}}]}
    sources = list(ctgov.records_in(page, file="page.json"))
    assert [str(source) for source, _ in sources] == ["page.json:$.studies[0]", "page.json:$.studies[1]"]
    source, record = sources[1]
    assert problems_of(record, base=source.path) == [
        "$.studies[1].protocolSection.identificationModule.nctId: no NCT number"
    ]


def test_gzipped_file_and_list_of_records_are_read(tmp_path):
    file = tmp_path / "records.json.gz"
    with gzip.open(file, "wt", encoding="utf-8") as handle:
        json.dump([load("NCT00763412"), load("NCT01525901")], handle)
    assert list(ctgov.files_in([tmp_path])) == [file]
    document = ctgov.read_document(file)
    assert [s.path for s, _ in ctgov.records_in(document, file=str(file))] == ["$[0]", "$[1]"]


def test_invalid_json_is_a_document_error_with_line_and_column(tmp_path):
    file = tmp_path / "broken.json"
    file.write_text('{"protocolSection": {\n  "identificationModule": }')
    with pytest.raises(ctgov.DocumentError, match=r"not valid JSON \(line 2, column 27"):
        ctgov.read_document(file)


def test_a_document_that_is_not_a_record_is_refused():
    with pytest.raises(ctgov.DocumentError, match=r"\$: expected a study record"):
        list(ctgov.records_in("just text"))
    with pytest.raises(ctgov.DocumentError, match=r"\$.studies: expected a list"):
        list(ctgov.records_in({"studies": {}}))


@pytest.mark.parametrize(
    "name, code",
    [
        ("United States", "US"),
        ("Russian Federation", "RU"),
        ("Czechia", "CZ"),
        ("Czech Republic", "CZ"),
        ("Taiwan", "TW"),
        ("Korea, Republic of", "KR"),
        ("Turkey", "TR"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("Iran, Islamic Republic of", "IR"),
        ("Atlantis", None),
        ("", None),
    ],
)
def test_country_names_as_the_registry_spells_them(name, code):
    assert ctgov.country_code(name) == code


@pytest.mark.parametrize(
    "country, lat, lon, zone, warned",
    [
        ("US", 38.62727, -90.19789, "America/Chicago", False),  # St Louis: from the geo point
        ("ES", 40.4168, -3.7038, "Europe/Madrid", False),
        ("DE", None, None, "Europe/Berlin", False),  # one zone in zone.tab for the whole country
        ("US", None, None, "America/New_York", True),  # several zones: the first listed, warned
        ("AQ", None, None, "Antarctica/McMurdo", True),
    ],
)
def test_time_zone_from_geo_point_else_country(country, lat, lon, zone, warned):
    found, warning = ctgov.time_zone_for(country, lat, lon)
    assert found == zone
    assert (warning is not None) == warned


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    file = tmp_path / "huge.json"
    file.write_text(json.dumps(load("NCT00763412")))
    monkeypatch.setattr(ctgov.files, "MAX_FILE_BYTES", 1000)
    with pytest.raises(ctgov.DocumentError, match="over the 0 MB limit; split it into pages"):
        ctgov.read_document(file)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


REAL = load("NCT03064438")
REAL_PATHS = [path for path in _paths(REAL) if path]


@given(path=st.sampled_from(REAL_PATHS), replacement=JSON_VALUES, drop=st.booleans())
def test_any_damaged_record_parses_or_is_refused_with_paths(path, replacement, drop):
    """Every field may be missing or of the wrong type: the parser never fails in any other way."""
    record = copy.deepcopy(REAL)
    holder = record
    for step in path[:-1]:
        holder = holder[step]
    if drop and isinstance(holder, dict):
        del holder[path[-1]]
    else:
        holder[path[-1]] = replacement
    try:
        ctgov.parse_record(record)
    except ctgov.RecordError as error:
        assert error.problems and all(p.path.startswith("$") for p in error.problems)


@given(record=JSON_VALUES)
def test_any_json_value_parses_or_is_refused(record):
    try:
        ctgov.parse_record(record)
    except ctgov.RecordError as error:
        assert error.problems
