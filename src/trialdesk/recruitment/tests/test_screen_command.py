"""`trialdesk eligibility screen`: candidates from FHIR Bundles and the CSV template against the criteria
JSON of `parse`, each result explained; bad input is one line per bad record and a non-zero exit."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

LOINC, ICD10 = "http://loinc.org", "http://hl7.org/fhir/sid/icd-10"
CRITERIA = {
    "inclusion": [
        {"text": "Aged 18 to 75", "rule": {"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}},
        {
            "text": "ANC ≥ 1.5 × 10⁹/L",
            "rule": {
                "kind": "observation",
                "code": {"system": LOINC, "code": "751-8"},
                "comparator": ">=",
                "value": 1.5,
                "unit": "10*9/L",
            },
        },
        {"text": "Signed consent", "rule": None},
    ],
    "exclusion": [
        {
            "text": "History of HIV",
            "rule": {"kind": "condition", "code": {"system": ICD10, "code": "B20-B24"}, "present": True},
        }
    ],
}


def bundle(patient_id="P1", **patient):
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "resource": {
                    "resourceType": "Patient",
                    "id": patient_id,
                    "birthDate": "1960-02-01",
                    "gender": "female",
                    "name": [{"family": "Never", "given": ["Kept"]}],
                    **patient,
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "subject": {"reference": f"Patient/{patient_id}"},
                    "code": {"coding": [{"system": LOINC, "code": "751-8"}]},
                    "valueQuantity": {"value": 1800, "unit": "/uL", "code": "/uL"},
                    "effectiveDateTime": "2026-01-05",
                }
            },
            {
                "resource": {
                    "resourceType": "Condition",
                    "subject": {"reference": f"Patient/{patient_id}"},
                    "code": {"coding": [{"system": ICD10, "code": "E11.9"}]},
                    "onsetDateTime": "2019-04-01",
                }
            },
        ],
    }


@pytest.fixture
def files(tmp_path):
    (tmp_path / "criteria.json").write_text(json.dumps(CRITERIA), encoding="utf-8")
    pool = tmp_path / "pool"
    pool.mkdir()
    (pool / "p1.json").write_text(json.dumps(bundle()), encoding="utf-8")
    (pool / "more.csv").write_text(
        "candidate,birth_date,sex,conditions,medications,751-8 10*9/L\n"
        "C2,1990-01-01,male,icd10|B20|2020-01-01,,2.0@2026-01-01\n"
        "C3,,female,,,\n",
        encoding="utf-8",
    )
    return tmp_path


def screen(files, candidates="pool", *, as_of="2026-02-01"):
    from io import StringIO

    out = StringIO()
    call_command(
        "eligibility",
        "screen",
        "--criteria",
        str(files / "criteria.json"),
        "--candidates",
        str(files / candidates),
        "--as-of",
        as_of,
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


def test_screen_prints_each_candidate_with_every_criterion_explained(files):
    found = {item["candidate"]: item for item in screen(files)}
    assert {k: v["status"] for k, v in found.items()} == {
        "P1": "eligible",
        "C2": "ineligible",
        "C3": "unknown",
    }
    p1 = found["P1"]["criteria"]
    assert [c["result"] for c in p1] == ["met", "met", "manual", "not_met"]
    assert set(p1[0]) == {"text", "result", "because"}
    assert (
        p1[1]["because"]
        == "751-8 (http://loinc.org) 1800 /uL on 2026-01-05 (= 1.8 10*9/L), rule >= 1.5 10*9/L"
    )
    assert found["C2"]["criteria"][3]["because"].startswith("condition B20 recorded on 2020-01-01")
    assert found["C3"]["criteria"][0] == {
        "text": "Aged 18 to 75",
        "result": "unknown",
        "because": "birth date not recorded",
    }


def test_screen_keeps_no_name(files):
    assert "Never" not in json.dumps(screen(files))


def test_a_malformed_bundle_is_refused_naming_the_entry(files):
    broken = bundle()
    del broken["entry"][1]["resource"]["valueQuantity"]
    broken["entry"][2]["resource"]["subject"] = {"reference": "Patient/nobody"}
    (files / "pool" / "p1.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        screen(files)
    assert str(refused.value).splitlines() == [
        "p1.json entry[1] (Observation): valueQuantity.value is missing or not a number",
        "p1.json entry[2] (Condition): subject must reference a Patient of this bundle (Patient/<id>)",
    ]
    assert refused.value.returncode == 1


def test_bad_options_are_one_line_and_a_non_zero_exit(files):
    with pytest.raises(CommandError, match=r"^--as-of: '2026-13-01' is not a date") as refused:
        screen(files, as_of="2026-13-01")
    assert refused.value.returncode == 2
    with pytest.raises(CommandError, match="--candidates: .* does not exist"):
        screen(files, candidates="absent")
    (files / "criteria.json").write_text(
        json.dumps(
            {
                "inclusion": [
                    {
                        "text": "x",
                        "rule": {
                            "kind": "observation",
                            "code": {"system": LOINC, "code": "1"},
                            "comparator": ">=",
                            "value": 1,
                            "unit": "furlongs per blorp",
                        },
                    }
                ]
            }
        )
    )
    with pytest.raises(
        CommandError, match=r"--criteria: inclusion\[0\]\.rule\.unit: 'furlongs per blorp' is not a unit"
    ):
        screen(files)
