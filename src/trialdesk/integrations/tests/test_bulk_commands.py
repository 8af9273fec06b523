"""`trialdesk import institutions|sites` and `trialdesk export xlsx` on the command line."""

import io
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from trialdesk.integrations.tests.bulk_factories import INSTITUTION_HEADER, SITE_HEADER, xlsx_bytes
from trialdesk.sites.models import Institution, StudySite


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def sites_file(tmp_path):
    path = tmp_path / "sites.xlsx"
    path.write_bytes(
        xlsx_bytes(
            SITE_HEADER,
            ("103", "Tokyo Medical", "Tokyo", "Dr Sato", "Selected", None, 12),
            ("101", "", "", "Dr New", "", None, 20),
        )
    )
    return path


def test_dry_run_shows_the_preview_and_writes_nothing(world, sites_file):
    out, _ = run("import", "sites", str(sites_file), "--study", "ONC-A", "--user", "crm_anna", "--dry-run")
    assert "row 2: create Site 103 (Tokyo Medical, Tokyo)" in out
    assert "    Principal investigator: Dr PI 101 → Dr New" in out
    assert "Would import" in out and "1 created, 1 changed, 0 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert not StudySite.objects.filter(site_number="103").exists()


def test_import_sites_writes_everything(world, sites_file):
    out, _ = run("import", "sites", str(sites_file), "--study", "ONC-A", "--user", "crm_anna")
    assert f"Imported {sites_file}: 1 created, 1 changed, 0 unchanged." in out
    assert StudySite.objects.get(study=world.study_a, site_number="103").status == "selected"


def test_bad_rows_are_one_line_each_and_nothing_is_written(world, tmp_path):
    path = tmp_path / "institutions.xlsx"
    path.write_bytes(
        xlsx_bytes(
            INSTITUTION_HEADER,
            ("Charité", "", "Berlin", "DE", "Europe/Berlin"),
            ("Elsewhere", "", "Oslo", "NO", "Mars/Olympus"),
            ("Nameless", "", "", "DE", "Europe/Berlin"),
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"institutions.xlsx: 2 problem\(s\); nothing was imported."):
        call_command(
            "import", "institutions", str(path), "--user", "crm_anna", stdout=io.StringIO(), stderr=err
        )
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{path} row 3, column Time zone: 'Mars/Olympus' is not an IANA time zone")
    assert lines[1] == f"{path} row 4, column City: This field is required."
    assert not Institution.objects.filter(name="Charité").exists()


def test_the_acting_user_must_be_allowed_and_see_the_study(world, sites_file):
    with pytest.raises(CommandError, match="--study: no study 'CARD-B' that crm_anna can see"):
        run("import", "sites", str(sites_file), "--study", "CARD-B", "--user", "crm_anna")
    with pytest.raises(CommandError, match="--user: "):
        run("import", "sites", str(sites_file), "--study", "ONC-A", "--user", "auditor_ada")
    with pytest.raises(CommandError, match="cannot read the file"):
        run("import", "institutions", str(sites_file) + ".missing", "--user", "crm_anna")


def test_a_file_over_the_limit_is_refused_before_it_is_read(world, sites_file, settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match="The file is too large"):
        run("import", "institutions", str(sites_file), "--user", "crm_anna")


def test_export_xlsx_writes_what_the_user_sees(world, tmp_path):
    target = tmp_path / "sites.xlsx"
    out, _ = run("export", "xlsx", "--study", "ONC-A", "--sites", "--user", "monitor_mia", "-o", str(target))
    assert out.startswith(f"Wrote {target}")
    sheet = load_workbook(target).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["101"]  # A2 is not hers
    run("export", "xlsx", "--portfolio", "--user", "crm_anna", "-o", str(target))
    assert [r[0] for r in load_workbook(target).active.iter_rows(min_row=2, values_only=True)] == ["ONC-A"]
    with pytest.raises(CommandError, match="--sites or --milestones"):
        run("export", "xlsx", "--study", "ONC-A", "--user", "crm_anna", "-o", str(target))


def test_the_console_script_exits_non_zero_on_a_bad_file(tmp_path):
    """The real command line: a usage error is one line and exit status 2."""
    result = subprocess.run(
        [sys.executable, "-m", "trialdesk", "import", "sites", "x.xlsx"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "the following arguments are required: --study, --user" in result.stderr
