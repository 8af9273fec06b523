"""The `trialdesk audit` and `trialdesk token` commands, as an operator runs them."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from trialdesk.core import audit, services
from trialdesk.core.models import ApiToken, AuditEvent


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _bypass_append_only_trigger(cursor) -> None:
    # Inside the test's transaction, so the trigger is back for the next test.
    if connection.vendor == "postgresql":
        cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    else:
        cursor.execute("DROP TRIGGER core_auditevent_no_update")


def test_audit_verify_on_an_untouched_trail_prints_what_it_checked(world):
    events = AuditEvent.objects.count()
    integrity = (
        "PRAGMA integrity_check, PRAGMA foreign_key_check" if connection.vendor == "sqlite" else "amcheck"
    )
    lines = run("audit", "verify").splitlines()
    assert lines[:2] == [f"audit chain intact: {events} events", f"audit keys: {events} events keyed (test)"]
    assert lines[2].startswith("records: 14 regulated records of ") and lines[2].endswith(
        "match their audit events"
    )
    assert lines[3].startswith(f"database integrity: ok ({integrity}") and len(lines) == 4


def test_audit_verify_without_records_skips_the_comparison(world):
    output = run("audit", "verify", "--no-records")
    assert "records:" not in output and output.startswith("audit chain intact:")


def test_audit_anchor_prints_a_signed_head_or_appends_it_to_a_file(world, tmp_path):
    head = AuditEvent.objects.order_by("-id").first()
    printed = json.loads(run("audit", "anchor"))
    assert (printed["event_id"], printed["hash"], printed["key_id"]) == (head.pk, head.hash, "test")
    target = tmp_path / "anchors"
    events = AuditEvent.objects.count()
    assert (
        run("audit", "anchor", "-o", str(target))
        == f"anchored event #{head.pk} ({events} events) to {target}\n"
    )
    run("audit", "anchor", "-o", str(target))
    assert len(target.read_text().splitlines()) == 2
    assert "audit anchors: 2 anchors hold" in run("audit", "verify", "--anchors", str(target))


def test_audit_verify_with_anchors_exits_1_naming_the_missing_events(world, tmp_path):
    target = tmp_path / "anchors"
    run("audit", "anchor", "-o", str(target))
    head, before = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[:2]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [head])

    with pytest.raises(CommandError) as failure:
        run("audit", "verify", "--anchors", str(target), "--no-records")

    assert failure.value.returncode == 1
    assert str(failure.value).splitlines() == [
        f"audit events #{before + 1}–#{head} missing: the trail now ends at #{before}, but event "
        f"#{head} was anchored on {json.loads(target.read_text())['anchored_at']} ({target} line 1)"
    ]


def test_audit_verify_after_tampering_exits_1_naming_the_event(world):
    target = AuditEvent.objects.filter(action="study.created").order_by("id").first()
    with connection.cursor() as cursor:
        _bypass_append_only_trigger(cursor)
        cursor.execute("UPDATE core_auditevent SET reason = 'nothing to see' WHERE id = %s", [target.pk])

    with pytest.raises(CommandError) as failure:
        run("audit", "verify")

    message = str(failure.value)
    assert failure.value.returncode == 1
    assert f"#{target.pk}" in message
    assert f"study.created studies.study:{target.object_id}" in message
    assert "content does not match its hash" in message


def test_audit_export_csv_has_one_row_per_changed_field_of_the_study_only(world):
    rows = list(csv.DictReader(io.StringIO(run("audit", "export", "--study", "ONC-A", "--format", "csv"))))

    assert tuple(rows[0]) == audit.EXPORT_COLUMNS
    study_events = set(audit.study_trail(world.study_a.pk).values_list("id", flat=True))
    assert {int(row["id"]) for row in rows} == study_events
    title = next(r for r in rows if r["action"] == "study.created" and r["field"] == "title")
    assert (title["old_value"], title["new_value"], title["actor_username"]) == ("", "Study ONC-A", "admin")


def test_audit_export_json_to_a_file_holds_full_events_with_hashes(world, tmp_path):
    target = tmp_path / "trail.json"
    run("audit", "export", "--study", "ONC-A", "--format", "json", "--output", str(target))

    events = json.loads(target.read_text(encoding="utf-8"))
    expected = list(audit.study_trail(world.study_a.pk))
    assert [e["id"] for e in events] == [e.pk for e in expected]
    first = events[0]
    assert first["action"] == "study.created"
    assert first["changes"]["code"] == [None, "ONC-A"]
    assert (first["hash"], first["prev_hash"]) == (expected[0].hash, expected[0].prev_hash)


def test_audit_export_of_an_unknown_study_fails_with_one_line(world):
    with pytest.raises(CommandError, match="No study has the protocol number 'NOPE'"):
        run("audit", "export", "--study", "NOPE", "--format", "csv")


def test_token_create_prints_once_a_token_that_authenticates(world):
    output = run("token", "create", "--user", "crm_anna", "--name", "nightly export")

    raw = next(line for line in output.splitlines() if line.startswith(services.TOKEN_PREFIX))
    assert services.user_for_token(raw) == world.crm
    assert "cannot be shown again" in output
    token = ApiToken.objects.get(user=world.crm)
    assert token.name == "nightly export"
    assert raw not in token.token_hash


def test_token_create_for_an_unknown_user_fails(world):
    with pytest.raises(CommandError, match="No user is called 'nobody'"):
        run("token", "create", "--user", "nobody")
    assert not ApiToken.objects.exists()


def test_token_list_shows_the_token_and_revoke_stops_it_working(world):
    output = run("token", "create", "--user", "crm_anna")
    raw = next(line for line in output.splitlines() if line.startswith(services.TOKEN_PREFIX))
    token = ApiToken.objects.get(user=world.crm)

    listing = run("token", "list", "--user", "crm_anna")
    assert token.name in listing and "active" in listing
    assert raw not in listing

    assert "revoked" in run("token", "revoke", "--id", str(token.pk))
    assert services.user_for_token(raw) is None
    assert "revoked" in run("token", "list", "--user", "crm_anna")
    assert AuditEvent.objects.filter(action="apitoken.revoked", object_id=str(token.pk)).exists()


def test_token_revoke_of_an_unknown_id_fails(world):
    with pytest.raises(CommandError, match="No API token has the id 999"):
        run("token", "revoke", "--id", "999")


def test_bench_generator_fills_the_requested_numbers(db):
    """The scale benchmark's generator keeps working as the models change (tiny numbers here)."""
    import datetime as dt

    from benchmarks import generate

    from trialdesk.core.models import RoleAssignment
    from trialdesk.sites.models import StudySite
    from trialdesk.studies.models import Study

    counts = generate.fill(studies=10, sites_per_study=3, crm_studies=4, today=dt.date(2025, 6, 1))

    assert (counts["studies"], counts["study sites"]) == (10, 30)
    assert (Study.objects.count(), StudySite.objects.count()) == (10, 30)
    bench_crm = RoleAssignment.objects.filter(user__username="bench_crm", role="crm")
    assert bench_crm.count() == 4


def test_audit_anchor_to_a_folder_that_does_not_exist_fails_naming_it(world, tmp_path):
    target = tmp_path / "missing" / "anchors"
    with pytest.raises(CommandError, match=f"{target}: cannot append the anchor"):
        run("audit", "anchor", "-o", str(target))


def test_backup_never_overwrites_a_file(world, tmp_path):
    existing = tmp_path / "backup.tar.gz"
    existing.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="exists already") as failure:
        run("backup", "-o", str(existing))
    assert failure.value.returncode == 2 and existing.read_bytes() == b"yesterday's backup"
