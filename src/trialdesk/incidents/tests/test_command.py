"""`trialdesk incidents clocks --incident incident.json --json`: offline, the issue's field names, bad input
named one line per field, nothing written."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

INCIDENT = {
    "kind": "personal_data_breach",
    "jurisdictions": ["EU", "UK", "US"],
    "aware_at": "2026-12-30T14:00:00-05:00",
    "sponsor_timezone": "America/New_York",
    "affected_individuals": 499,
}
SAFETY_CLOCK_FIELDS = {
    "recipient",
    "jurisdiction",
    "rule",
    "clock",
    "length",
    "starts_at",
    "due_at",
    "due_on",
    "key",
}


def run(tmp_path, incident, *extra) -> str:
    path = tmp_path / "incident.json"
    path.write_text(json.dumps(incident))
    out = StringIO()
    call_command("incidents", "clocks", "--incident", str(path), *extra, stdout=out)
    return out.getvalue()


def test_clocks_prints_every_obligation_with_the_safety_clock_fields(tmp_path):
    document = json.loads(run(tmp_path, INCIDENT, "--json", "--as-of", "2027-01-02T14:00:01-05:00"))
    assert set(document) == {"obligations", "warnings"}
    by_key = {o["key"]: o for o in document["obligations"]}
    assert set(by_key) == {"EU-GDPR-33", "UK-GDPR-33", "US-HIPAA-404", "US-HIPAA-408-LOG"}
    for obligation in by_key.values():
        assert SAFETY_CLOCK_FIELDS <= set(obligation)
    assert by_key["EU-GDPR-33"]["due_at"] == "2027-01-02T14:00:00-05:00"
    assert by_key["EU-GDPR-33"]["status"] == "missed"
    assert by_key["US-HIPAA-408-LOG"]["starts_at"] == "2026-12-31T23:59:59-05:00"
    assert by_key["US-HIPAA-408-LOG"]["due_on"] == "2027-03-01"
    assert by_key["US-HIPAA-404"]["rule"] == "45 CFR 164.404(b)"


def test_the_command_and_the_safety_command_print_the_same_fields(tmp_path):
    from trialdesk.safety.tests.test_command import EVENT
    from trialdesk.safety.tests.test_command import run as run_safety

    safety = json.loads(run_safety(tmp_path, EVENT, "--json"))["obligations"][0]
    ours = json.loads(run(tmp_path, INCIDENT, "--json"))["obligations"][0]
    assert set(ours) == set(safety)


def test_without_json_a_table_in_the_reporting_party_s_zone(tmp_path):
    incident = {**INCIDENT, "risk_to_individuals": "high", "jurisdictions": ["EU"]}
    text = run(tmp_path, incident, "--as-of", "2026-12-30T15:00:00-05:00")
    assert "times in America/New_York" in text
    assert "2027-01-02T14:00:00-05:00" in text and "without undue delay" in text


def test_a_serious_breach_in_the_us_warns_that_no_clock_applies(tmp_path):
    incident = {**INCIDENT, "kind": "serious_breach", "jurisdictions": ["US"]}
    assert json.loads(run(tmp_path, incident, "--json"))["obligations"] == []
    assert "No notification" in run(tmp_path, incident)


BAD = [
    # what is wrong, the incident, the line expected (field: message start)
    ("no awareness time", {k: v for k, v in INCIDENT.items() if k != "aware_at"}, "aware_at: required"),
    (
        "unknown jurisdiction",
        {**INCIDENT, "jurisdictions": ["EU", "FR"]},
        "jurisdictions[1]: Unknown jurisdiction 'FR'",
    ),
    (
        "naive datetime",
        {**INCIDENT, "aware_at": "2026-12-30T14:00:00"},
        "aware_at: Give an ISO 8601 date and time",
    ),
    (
        "unknown zone",
        {**INCIDENT, "sponsor_timezone": "Mars/Base"},
        "sponsor_timezone: Unknown time zone 'Mars/Base'",
    ),
    (
        "negative count",
        {**INCIDENT, "affected_individuals": -1},
        "affected_individuals: The number of individuals",
    ),
    ("not a count", {**INCIDENT, "affected_individuals": "many"}, "affected_individuals: Give the number"),
    ("unknown kind", {**INCIDENT, "kind": "breach"}, "kind: "),
]


@pytest.mark.parametrize(("what", "incident", "line"), BAD, ids=[case[0] for case in BAD])
def test_bad_input_is_one_line_naming_the_field(tmp_path, what, incident, line):
    with pytest.raises(CommandError) as error:
        run(tmp_path, incident, "--json")
    lines = str(error.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(line), lines


def test_every_bad_field_is_named_at_once(tmp_path):
    bad = {
        **INCIDENT,
        "jurisdictions": ["XX"],
        "aware_at": "yesterday",
        "affected_individuals": -3,
        "sevrity": 1,
    }
    with pytest.raises(CommandError) as error:
        run(tmp_path, bad)
    named = sorted(line.split(":")[0] for line in str(error.value).splitlines())
    assert named == ["affected_individuals", "aware_at", "jurisdictions[0]", "sevrity"]


def test_the_command_exits_non_zero_and_writes_nothing(tmp_path):
    import os
    import subprocess
    import sys

    path = tmp_path / "incident.json"
    path.write_text(json.dumps({**INCIDENT, "affected_individuals": -1}))
    done = subprocess.run(
        [sys.executable, "-m", "trialdesk.cli", "incidents", "clocks", "--incident", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"DEBUG": "1", **os.environ},
    )
    assert done.returncode != 0 and done.stdout == ""
    assert "affected_individuals: The number of individuals affected cannot be negative." in done.stderr


def test_a_file_that_is_not_json_is_one_line(tmp_path):
    path = tmp_path / "incident.json"
    path.write_text("{")
    with pytest.raises(CommandError, match=r"^incident: .*incident\.json is not valid JSON"):
        call_command("incidents", "clocks", "--incident", str(path))


def test_as_of_needs_an_offset(tmp_path):
    with pytest.raises(CommandError, match="^--as-of: Give an ISO 8601"):
        run(tmp_path, INCIDENT, "--as-of", "2027-01-02T09:00:00")
