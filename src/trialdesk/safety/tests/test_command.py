"""`trialdesk safety clocks --event event.json --json`: offline, the issue's field names, bad input named."""

import json

import pytest
from django.core.management import CommandError, call_command

EVENT = {
    "product": "drug",
    "jurisdictions": ["US", "EU", "IRB:WIRB"],
    "serious": True,
    "seriousness": ["life_threatening"],
    "expected": False,
    "related": True,
    "unanticipated_device_effect": False,
    "site_aware_at": "2025-12-30T16:00:00-05:00",
    "sponsor_aware_at": "2025-12-31T09:00:00+01:00",
    "site_timezone": "America/New_York",
    "sponsor_timezone": "Europe/Berlin",
}
POLICIES = [
    {
        "name": "WIRB",
        "committee": "WCG IRB",
        "event_kind": "susar",
        "clock": "working",
        "length": 5,
        "holiday_calendar": "US",
        "citation": "WCG IRB reporting guidance",
    },
]


def run(tmp_path, event, *extra):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    policies = tmp_path / "policies.json"
    policies.write_text(json.dumps(POLICIES))
    from io import StringIO

    out = StringIO()
    call_command("safety", "clocks", "--event", str(path), "--policies", str(policies), *extra, stdout=out)
    return out.getvalue()


ISSUE_4_FIELDS = {
    "clock",
    "description",
    "due_at",
    "due_on",
    "jurisdiction",
    "key",
    "length",
    "recipient",
    "reporting_party",
    "rule",
    "starts_at",
}


def test_clocks_prints_every_obligation_with_the_fixed_field_names(tmp_path):
    document = json.loads(run(tmp_path, EVENT, "--json", "--as-of", "2025-12-31T12:00:00+01:00"))
    assert set(document) == {"obligations", "warnings"} and document["warnings"] == []
    found = document["obligations"]
    for obligation in found:
        assert ISSUE_4_FIELDS | {"status", "day_zero"} <= set(obligation)
        assert obligation["status"] in ("open", "met", "missed", "not_required")
    by_key = {o["key"]: o for o in found}
    assert by_key["US-IND-7D"]["status"] == "open"
    assert by_key["US-IND-7D"]["day_zero"] == "2025-12-31T09:00:00+01:00"
    assert by_key["US-IND-7D"]["due_at"] == "2026-01-07T23:59:59+01:00"
    assert by_key["US-IND-7D"]["rule"] == "21 CFR 312.32(c)(2)"
    # New Year's Day is a US holiday: 5 working days from Tue 30 December 2025 end on Wed 7 January.
    assert by_key["IRB:WIRB"]["due_on"] == "2026-01-07" and by_key["IRB:WIRB"]["recipient"] == "WCG IRB"
    assert by_key["PROTOCOL-SAE-SPONSOR"]["due_at"] == "2025-12-31T16:00:00-05:00"


def test_information_and_reports_made_give_day_zero_status_and_follow_up_clocks(tmp_path):
    """The issue's example: a SUSAR that turns fatal on follow-up; the Canadian 7-day report made, so the
    complete report is due 8 days after it (C.05.014(2)); the US 15-day report missed."""
    event = {
        **EVENT,
        "jurisdictions": ["US", "CA", "MX"],
        "seriousness": ["hospitalization"],
        "information": [{"received_at": "2026-01-05T10:00:00+01:00", "seriousness": ["death"]}],
        "submitted": [{"key": "CA-ADR-7D", "at": "2026-01-07T16:00:00+01:00"}],
    }
    document = json.loads(run(tmp_path, event, "--json", "--as-of", "2026-01-20T12:00:00+01:00"))
    by_key = {o["key"]: o for o in document["obligations"]}
    assert by_key["CA-ADR-7D"]["day_zero"] == "2026-01-05T10:00:00+01:00"
    assert by_key["CA-ADR-7D"]["status"] == "met"
    assert by_key["CA-ADR-7D-COMPLETE"]["due_on"] == "2026-01-15"
    assert by_key["CA-ADR-7D-COMPLETE"]["status"] == "missed"
    assert by_key["CA-ADR-15D"]["status"] == "not_required"
    assert by_key["US-IND-15D"]["day_zero"] == "2025-12-31T09:00:00+01:00"
    assert by_key["US-IND-15D"]["status"] == "missed"
    assert by_key["US-IND-7D"]["verified"] is False and by_key["CA-ADR-7D"]["verified"] is True
    assert document["warnings"] == ["no reporting rules for MX (Mexico): check its law and report by hand"]


def test_a_report_key_and_time_are_named_when_bad(tmp_path):
    bad = {**EVENT, "submitted": [{"key": "US-IND-7D", "at": "soon"}], "information": [{"seriousness": []}]}
    with pytest.raises(CommandError) as error:
        run(tmp_path, bad, "--json")
    assert sorted(line.split(":")[0] for line in str(error.value).splitlines()) == [
        "information[0].received_at",
        "submitted[0].at",
    ]


def test_dsur_prints_the_data_lock_point_and_due_date(tmp_path):
    from io import StringIO

    out = StringIO()
    call_command(
        "safety", "dsur", "--birth-date", "2020-06-15", "--as-of", "2025-08-14", "--json", stdout=out
    )
    assert json.loads(out.getvalue()) == {"data_lock_point": "2026-06-14", "due_on": "2026-08-13"}


def test_non_serious_event_prints_no_obligation(tmp_path):
    found = json.loads(run(tmp_path, {**EVENT, "serious": False, "seriousness": []}, "--json"))
    assert found == {"obligations": [], "warnings": []}
    assert "No reporting obligation" in run(tmp_path, {**EVENT, "serious": False, "seriousness": []})


def test_bad_event_fails_with_one_line_per_bad_field(tmp_path):
    bad = {
        **EVENT,
        "jurisdictions": ["US", "XX"],
        "site_timezone": "Mars/Base",
        "sponsor_aware_at": "2025-12-29T09:00:00+01:00",
    }
    with pytest.raises(CommandError) as error:
        run(tmp_path, bad, "--json")
    lines = str(error.value).splitlines()
    assert sorted(line.split(":")[0] for line in lines) == [
        "jurisdictions[1]",
        "site_timezone",
        "sponsor_aware_at",
    ]


def test_misspelt_and_missing_fields_are_each_named(tmp_path):
    bad = {key: value for key, value in EVENT.items() if key != "related"} | {"expectd": False}
    with pytest.raises(CommandError) as error:
        run(tmp_path, bad)
    lines = str(error.value).splitlines()
    assert lines[0] == "related: required; this field is missing"
    assert lines[1].startswith("expectd: unknown key; use " + ", ".join(EVENT) + ", site_to_sponsor_hours, ")
    assert "information" in lines[1] and "submitted" in lines[1]


def test_bad_policies_name_each_policy_and_field(tmp_path):
    path = tmp_path / "event.json"
    path.write_text(json.dumps(EVENT))
    policies = tmp_path / "policies.json"
    policies.write_text(
        json.dumps([{**POLICIES[0], "length": 0}, {**POLICIES[0], "clock": "hours", "name": 7}])
    )
    with pytest.raises(CommandError) as error:
        call_command("safety", "clocks", "--event", str(path), "--policies", str(policies))
    assert [line.split(":")[0] for line in str(error.value).splitlines()] == [
        "policies[0].length",
        "policies[1].name",
    ]


def test_an_event_file_that_is_not_json_is_one_line(tmp_path):
    path = tmp_path / "event.json"
    path.write_text("{")
    with pytest.raises(
        CommandError, match=r"^event: .*event\.json is not valid JSON \(.* at line 1 column 2\)$"
    ):
        call_command("safety", "clocks", "--event", str(path))


def test_dsur_adds_each_study_s_next_annual_report(world):
    import datetime as dt
    from io import StringIO

    from trialdesk.safety import services

    services.save_safety_settings(
        study=world.study_a, by=world.crm, development_birth_date=dt.date(2020, 6, 15)
    )
    out = StringIO()
    call_command("safety", "dsur", stdout=out)
    assert out.getvalue().startswith("ONC-A: DSUR due ")
