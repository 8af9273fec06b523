"""`trialdesk monitoring due | carbon` and `trialdesk rbqm qtl | signals`: the JSON each prints, with its
field names as the issue fixes them, and bad input refused with exit status 2."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trialdesk.core.records import create_record
from trialdesk.monitoring import services
from trialdesk.monitoring.models import Issue, Signal
from trialdesk.monitoring.tests import factories as f

DUE_KEYS = {"study", "site", "visit_type", "modality", "due_on", "overdue_days", "reason", "cra"}


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_monitoring_due_lists_each_sites_next_visit_with_the_issues_fields(world):
    f.plan(world, first_imv_weeks=6)
    f.set_up(world)
    f.enrolling(world)
    f.enrolled(world, world.site_a1, "101-001", on=dt.date(2025, 1, 10))
    f.conducted(world, visit_type="siv", day=dt.date(2025, 1, 2))
    out, _ = run("monitoring", "due", "--study", "ONC-A", "--as-of", "2025-03-01", "--json")
    rows = json.loads(out)
    assert all(set(row) == DUE_KEYS for row in rows)
    a1 = next(row for row in rows if row["site"] == "101")
    # First participant 10 Jan + 6 weeks = 21 Feb: 8 days overdue on 1 Mar.
    assert a1 == {
        "study": "ONC-A",
        "site": "101",
        "visit_type": "imv",
        "modality": "on_site",
        "due_on": "2025-02-21",
        "overdue_days": 8,
        "reason": "first IMV within 6 weeks of the first participant enrolled 2025-01-10",
        "cra": "monitor_mia",
    }


@pytest.mark.django_db
def test_monitoring_due_without_a_plan_lists_nothing(world):
    out, _ = run("monitoring", "due", "--json")
    assert json.loads(out) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message", [(("--study", "NOPE"), "--study"), (("--as-of", "2025-13-01"), "--as-of")]
)
def test_monitoring_due_refuses_bad_input_with_exit_2(world, args, message):
    with pytest.raises(CommandError) as refused:
        run("monitoring", "due", *args, "--json")
    assert message in str(refused.value) and refused.value.returncode == 2


def test_monitoring_carbon_prints_the_estimate_with_its_source():
    out, _ = run(
        "monitoring",
        "carbon",
        "--from",
        "45.7597,4.8422",
        "--to",
        "48.8567,2.3508",
        "--mode",
        "rail",
        "--round-trip",
        "--json",
    )
    found = json.loads(out)
    assert set(found) == {"distance_km", "routing_factor", "factor_kg_co2e_per_km", "kg_co2e", "source"}
    # Lyon–Paris 392.2172595594006 km (the haversine package's README) × 1.417 × 2, at 0.03546 kg/km.
    assert found["distance_km"] == pytest.approx(392.2172595594006 * 1.417 * 2, abs=1e-3)
    assert found["kg_co2e"] == pytest.approx(found["distance_km"] * 0.03546, abs=1e-3)
    assert "National rail" in found["source"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--from", "45.7,4.8", "--to", "91,2", "--mode", "car"), "--to"),
        (("--from", "x", "--to", "1,2", "--mode", "car"), "--from"),
    ],
)
def test_monitoring_carbon_refuses_a_bad_point(args, message):
    with pytest.raises(CommandError) as refused:
        run("monitoring", "carbon", *args, "--json")
    assert str(refused.value).startswith(message) and refused.value.returncode == 2


@pytest.mark.django_db
def test_rbqm_qtl_reports_the_limits_and_opens_an_issue_for_a_breach(world):
    for number in ("101-001", "101-002", "101-003"):
        f.enrolled(world, world.site_a1, number)
    f.enrolled(
        world, world.site_a1, "101-004", status="lost_to_follow_up", status_changed_on=dt.date(2025, 2, 1)
    )
    services.create_qtl(
        study=world.study_a, by=world.crm, parameter="early_discontinuation", limit=20, secondary_limit=10
    )
    services.create_qtl(study=world.study_a, by=world.crm, parameter="screen_failure", limit=30)
    out, err = run("rbqm", "qtl", "--study", "ONC-A", "--json")
    rows = {row["parameter"]: row for row in json.loads(out)}
    assert rows["early_discontinuation"] == {
        "parameter": "early_discontinuation",
        "value": 25.0,
        "limit": 20.0,
        "secondary_limit": 10.0,
        "status": "breach",
    }
    assert rows["screen_failure"]["status"] == "no_data"
    assert "opened ISS-0001" in err and Issue.objects.filter(source="qtl").count() == 1
    run("rbqm", "qtl", "--study", "ONC-A", "--json")
    assert Issue.objects.filter(source="qtl").count() == 1


@pytest.mark.django_db
def test_rbqm_signals_lists_signals_with_the_issues_fields(world):
    signal = create_record(
        Signal(
            study=world.study_a,
            study_site=world.site_a1,
            kri_key="ae_rate",
            flag=2,
            score=3.1,
            metric=0.05,
            opened_on=dt.date(2025, 5, 1),
        ),
        by=None,
    )
    services.triage_signal(signal=signal, by=world.crm, decision="no_action", rationale="flu season")
    out, _ = run("rbqm", "signals", "--study", "ONC-A", "--json", "--dry-run")
    assert json.loads(out) == [
        {
            "site": "101",
            "kri": "ae_rate",
            "flag": 2,
            "score": 3.1,
            "opened_on": "2025-05-01",
            "status": "closed",
            "decision": "no_action",
        }
    ]


@pytest.mark.django_db
def test_rbqm_score_still_scores_a_csv(tmp_path):
    data = tmp_path / "input.csv"
    data.write_text("GroupID,GroupLevel,Numerator,Denominator\nA,Site,1,10\nB,Site,2,10\nC,Site,9,10\n")
    out, _ = run(
        "rbqm", "score", "--input", str(data), "--method", "normal", "--type", "binary", "--format", "json"
    )
    assert {group["GroupID"] for group in json.loads(out)["groups"]} == {"A", "B", "C"}
