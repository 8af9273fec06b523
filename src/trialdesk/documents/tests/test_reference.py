"""The shipped TMF Reference Model against CDISC's own files in tests/data/tmf/ (v3.3.1, 11-Aug-2023)."""

import csv

import pytest

from tests.reference_data import REFERENCE_DATA
from trialdesk.documents import reference
from trialdesk.documents.rules import expectations

CDISC_CSV = REFERENCE_DATA / "tmf/tmf_rm_v3.3.1_artifacts.csv"
WORKBOOK = REFERENCE_DATA / "tmf/Version_3.3.1_TMF_Reference_Model_11-Aug-2023.xlsx"


def cdisc_rows() -> list[dict]:
    with CDISC_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_shipped_model_has_every_artifact_of_the_cdisc_copy_with_its_name_zone_and_section():
    rows = cdisc_rows()
    shipped = reference.artifacts()
    assert len(shipped) == len(rows) == 250
    for row in rows:
        item = shipped[row["artifact_number"]]
        assert item.name == " ".join(row["artifact_name"].split())
        assert (item.zone_number, item.section_number) == (row["zone_number"], row["section_number"])
        assert item.zone_name == " ".join(row["zone_name"].split())
        assert item.unique_id == int(row["unique_id"])
        assert item.core == (row["core_or_recommended"].strip() == "Core")


def test_shipped_model_has_the_zones_and_sections_of_the_cdisc_copy():
    rows = cdisc_rows()
    zones = reference.zones()
    assert len(zones) == 11
    sections = {(row["section_number"], " ".join(row["section_name"].split())) for row in rows}
    assert {(s.number, s.name) for zone in zones for s in zone.sections} == sections
    assert zones[0].name == "Trial Management"


def test_every_artifact_applies_to_at_least_one_level():
    for item in reference.artifacts().values():
        assert item.levels, item.label
        assert set(item.levels) <= set(expectations.LEVELS)


@pytest.mark.parametrize(
    ("number", "levels"),
    [
        # Read from the workbook's "TMF Level" columns.
        ("02.01.02", ("trial", "country", "site")),  # Protocol
        ("05.02.08", ("site",)),  # Form FDA 1572
        ("03.01.02", ("trial", "country")),  # Regulatory Authority Decision
        ("11.01.01", ("trial",)),  # Statistical Analysis Plan
    ],
)
def test_levels_are_those_of_the_workbook(number, levels):
    assert reference.artifact(number).levels == levels


def test_shipped_levels_match_the_workbook():
    from trialdesk.documents.reference.extract import artifact_rows

    assert {row["artifact_number"]: row["levels"] for row in artifact_rows(str(WORKBOOK))} == {
        row["artifact_number"]: row["levels"] for row in reference.model_document()["artifacts"]
    }


def test_every_artifact_the_rules_expect_exists_at_the_level_they_expect_it():
    for row in (*expectations.EXPECTATIONS, *expectations.country_expectations()):
        item = reference.artifact(row.artifact_number)
        assert item is not None, row
        assert row.level in item.levels, (row.artifact_number, row.level, item.levels)
