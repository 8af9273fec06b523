"""Excel exports of the portfolio and of a study's sites and milestones: types, header, filter, scope."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from trialdesk.integrations.bulk import study_sites
from trialdesk.sites import services as site_services
from trialdesk.studies import services as study_services


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return load_workbook(io.BytesIO(response.content))


def rows_of(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_portfolio_export_has_typed_cells_a_frozen_header_and_a_filter(world, client_for):
    sheet = workbook_of(client_for(world.admin).get("/portfolio/export.xlsx")).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:R3"
    assert sheet["A1"].font.b
    rows = {row["Protocol number"]: row for row in rows_of(sheet)}
    assert set(rows) == {"ONC-A", "CARD-B"}
    study_a = rows["ONC-A"]
    assert study_a["Planned enrollment"] == 120 and isinstance(study_a["Sites planned"], int)
    assert study_a["Next milestone due"] == dt.datetime(2025, 6, 1)  # a date cell, not text
    due = next(c for c in sheet["Q"] if c.value == dt.datetime(2025, 6, 1))
    assert due.number_format == "yyyy-mm-dd"
    assert study_a["Countries"] == "DE, JP"
    assert sheet.column_dimensions["B"].width == 50


def test_portfolio_export_keeps_the_pages_filters(world, client_for):
    sheet = workbook_of(
        client_for(world.admin).get("/portfolio/export.xlsx?therapeutic_area=Cardiology")
    ).active
    assert [row["Protocol number"] for row in rows_of(sheet)] == ["CARD-B"]


@pytest.mark.parametrize(
    ("person", "codes"),
    [("crm", ["ONC-A"]), ("coordinator", ["CARD-B"]), ("outsider", [])],
)
def test_portfolio_export_holds_only_the_users_studies(world, client_for, person, codes):
    sheet = workbook_of(client_for(getattr(world, person)).get("/portfolio/export.xlsx")).active
    assert [row["Protocol number"] for row in rows_of(sheet)] == codes


def test_sites_export_holds_the_sites_the_user_sees(world, client_for):
    url = f"/studies/{world.study_a.pk}/sites/export.xlsx"
    site_services.update_study_site(
        study_site=world.site_a1,
        changes={"planned_activation_on": dt.date(2025, 4, 1)},
        by=world.admin,
        reason="plan",
    )
    sheet = workbook_of(client_for(world.crm).get(url)).active
    rows = rows_of(sheet)
    assert [r["Site number"] for r in rows] == ["101", "102"]
    assert rows[0]["Planned activation"] == dt.datetime(2025, 4, 1)
    assert rows[0]["Target enrollment"] == 20 and rows[0]["Status"] == "Identified"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:L3"
    monitor_rows = rows_of(workbook_of(client_for(world.monitor).get(url)).active)
    assert [r["Site number"] for r in monitor_rows] == ["101"]
    assert client_for(world.coordinator).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code == 404


def test_milestones_export_has_dates_variance_and_sites(world, client_for):
    study_services.update_milestone(
        milestone=world.milestone_a,
        changes={"forecast_on": dt.date(2025, 6, 11)},
        by=world.admin,
        reason="slipped",
    )
    url = f"/studies/{world.study_a.pk}/milestones/export.xlsx"
    rows = rows_of(workbook_of(client_for(world.crm).get(url)).active)
    by_name = {r["Milestone"]: r for r in rows}
    first = by_name["First participant in"]
    assert first["Baseline date"] == dt.datetime(2025, 6, 1) and first["Variance (days)"] == 10
    assert first["Late"] == "yes"
    assert by_name["Site activated"]["Site number"] == "102"
    # The monitor of A1 does not see A2's site milestone.
    monitor_rows = rows_of(workbook_of(client_for(world.monitor).get(url)).active)
    assert [r["Milestone"] for r in monitor_rows] == ["First participant in"]
    assert client_for(world.coordinator).get(url).status_code == 404


def test_an_exported_sites_workbook_imports_back_unchanged(world, client_for):
    content = client_for(world.crm).get(f"/studies/{world.study_a.pk}/sites/export.xlsx").content
    plan = study_sites.plan_study_sites(content, "ONC-A-sites.xlsx", study=world.study_a, by=world.crm)
    assert plan.problems == []
    assert [r.action for r in plan.rows] == ["unchanged", "unchanged"]
    assert set(plan.ignored_columns) == {"Department", "Country", "Time zone"}


def test_text_that_looks_like_a_formula_is_exported_as_text(world, client_for):
    site_services.update_study_site(
        study_site=world.site_a1,
        changes={"principal_investigator": "=HYPERLINK(1)"},
        by=world.admin,
        reason="x",
    )
    sheet = workbook_of(client_for(world.crm).get(f"/studies/{world.study_a.pk}/sites/export.xlsx")).active
    # Stored as text, behind the guard's apostrophe (interop.tabular.neutralise_formula), so that
    # saving the sheet as CSV does not turn it into a formula either.
    cell = next(c for c in sheet[2] if c.value == "'=HYPERLINK(1)")
    assert cell.data_type == "s"


def test_study_tabs_and_portfolio_link_to_the_exports(world, client_for):
    client = client_for(world.crm)
    assert "/portfolio/export.xlsx" in client.get("/").content.decode()
    sites_tab = client.get(f"/studies/{world.study_a.pk}/?tab=sites").content.decode()
    assert f"/studies/{world.study_a.pk}/sites/export.xlsx" in sites_tab
    assert f"/imports/sites/?study={world.study_a.pk}" in sites_tab
    milestones_tab = client.get(f"/studies/{world.study_a.pk}/?tab=milestones").content.decode()
    assert f"/studies/{world.study_a.pk}/milestones/export.xlsx" in milestones_tab
