"""Imports through the queue (integrations.tasks): `trialdesk import … --background [--wait]` and the
spreadsheet page's Confirm import with the database queue; the same checks and report as in the
foreground, a refused import fails its task with one line per bad record and changes nothing."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from tests.reference_data import REFERENCE_DATA
from trialdesk.core.models import AuditEvent, TaskProgress
from trialdesk.integrations import tasks as import_tasks
from trialdesk.integrations.tests.bulk_factories import SITE_HEADER, xlsx_bytes
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

GOOD_ROWS = (("103", "Tokyo Medical", "Tokyo", "Dr Sato", "Selected", None, 12),)
BAD_ROWS = (("103", "Nowhere", "Oz", "", "", None, 1), ("104", "Tokyo Medical", "Tokyo", "", "", "soon", 1))


@pytest.fixture
def queue(settings, monkeypatch, tmp_path):
    """The database queue, inside the test's transaction (as core's test_tasks)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sites_file(tmp_path, *rows):
    path = tmp_path / "sites.xlsx"
    path.write_bytes(xlsx_bytes(SITE_HEADER, *rows))
    return path


def test_background_import_is_queued_then_run_by_the_worker(world, queue, tmp_path):
    path = sites_file(tmp_path, *GOOD_ROWS)
    out, _ = run("import", "sites", str(path), "--study", "ONC-A", "--user", "crm_anna", "--background")
    task_id = int(re.search(r"Queued as task (\d+)", out).group(1))
    assert not StudySite.objects.filter(site_number="103").exists()  # nothing until the worker runs it
    assert "Ran 1 task(s)." in run("worker", "--batch")[0]
    progress = TaskProgress.objects.get(pk=task_id)
    assert progress.status == "done" and progress.started_by == world.crm
    assert progress.message == f"Imported {path}: 1 created, 0 changed, 0 unchanged."
    assert "row 2: create Site 103 (Tokyo Medical, Tokyo)" in import_tasks.report_of(progress)
    assert StudySite.objects.get(study=world.study_a, site_number="103").status == "selected"


def test_wait_prints_one_line_per_bad_row_and_fails_with_nothing_changed(world, data_dir, tmp_path):
    path = sites_file(tmp_path, *BAD_ROWS)
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "import", "sites", str(path), "--study", "ONC-A", "--user", "crm_anna", "--background", "--wait",
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert str(raised.value).endswith("2 problem(s); nothing was imported.")
    lines = [line for line in err.getvalue().splitlines() if "sites.xlsx" in line and "row" in line]
    assert len(lines) == 2 and "no institution named 'Nowhere' in Oz" in lines[0]
    assert not StudySite.objects.filter(site_number__in=["103", "104"]).exists()
    assert TaskProgress.objects.get().status == "failed"


def test_background_refuses_at_once_what_needs_no_reading(world, data_dir, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import", "sites", str(tmp_path / "x.xlsx"), "--study", "ONC-A", "--user", "crm_anna",
            "--background")  # fmt: skip
    with pytest.raises(CommandError, match="--study: no study 'NOPE'"):
        run("import", "odm", str(tmp_path), "--study", "NOPE", "--user", "crm_anna", "--background")
    with pytest.raises(CommandError, match="--wait: only with --background"):
        run("import", "ctgov", str(tmp_path), "--user", "crm_anna", "--wait")
    assert not TaskProgress.objects.exists()


def test_ctgov_import_waits_with_the_same_report_and_progress(world, data_dir, tmp_path):
    record = json.loads((REFERENCE_DATA / "ctgov" / "v2" / "NCT00763412.json").read_text())
    (tmp_path / "page.json").write_text(json.dumps({"studies": [record]}))
    out, _ = run("import", "ctgov", str(tmp_path), "--user", "crm_anna", "--background", "--wait")
    assert "Studies: 1 created, 0 updated" in out and "Records failed: 0." in out
    progress = TaskProgress.objects.get()
    assert (progress.status, progress.done, progress.total) == ("done", 1, 1)
    assert Study.objects.filter(nct_number="NCT00763412").exists()


def test_the_page_queues_the_confirmed_file_and_shows_the_outcome_on_the_task_page(
    world, client_for, queue, tmp_path
):
    client = client_for(world.crm)
    content = xlsx_bytes(SITE_HEADER, *GOOD_ROWS)
    preview = client.post(
        "/imports/sites/", {"file": SimpleUploadedFile("s.xlsx", content), "study": world.study_a.pk}
    )
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode()).group(1)
    response = client.post("/imports/confirm/", {"token": token})
    progress = TaskProgress.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{progress.pk}/"
    assert not StudySite.objects.filter(site_number="103").exists()
    run("worker", "--batch")
    page = client.get(f"/tasks/{progress.pk}/").content.decode()
    assert "Imported s.xlsx: 1 created, 0 changed, 0 unchanged." in page
    assert list((tmp_path / "uploads").iterdir()) == []  # the kept upload is gone


def test_odm_import_waits_and_refuses_a_bad_file_whole(world, data_dir, tmp_path):
    from trialdesk.integrations.tests.test_odm_import import clinical, event, subject
    from trialdesk.visits.tests.factories import build_visit_world

    build_visit_world(world)
    path = tmp_path / "edc.xml"
    good, unknown = (
        subject("101-001", event("SE.W2", "2025-03-18")),
        subject("999-999", event("SE.W2", "2025-03-18")),
    )
    path.write_bytes(clinical(good, unknown))
    events = AuditEvent.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command(
            "import", "odm", str(path), "--study", "ONC-A", "--user", "crm_anna", "--background", "--wait",
            stdout=io.StringIO(), stderr=err,
        )  # fmt: skip
    assert "999-999" in err.getvalue()
    assert AuditEvent.objects.count() == events
    assert TaskProgress.objects.get().status == "failed"
