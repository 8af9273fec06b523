"""A CRM imports sites from a spreadsheet in a real browser: upload, preview, confirm, and exports them."""

import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from tests.browser.live import ARTIFACTS, PASSWORD

pytestmark = pytest.mark.browser


def sites_workbook(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Site number", "Institution", "City", "Principal investigator", "Status", "Target enrollment"]
    )
    sheet.append(["103", "Tokyo Medical", "Tokyo", "Dr Sato", "Selected", 12])
    sheet.append(["101", None, None, "Dr New", None, 20])
    workbook.save(path)


def test_crm_previews_and_confirms_a_sites_import_then_exports_the_sites(server, page, tmp_path):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#portfolio-table").get_by_role("link", name="ONC-A").click()
    page.get_by_role("tab", name="Sites", exact=True).click()  # the Sites group opens on its Sites tab
    page.locator("#tab-sites").get_by_role("link", name="Import sites").click()

    expect(page.locator("#id_study")).to_have_value(re.compile(r"\d+"))
    sites_workbook(tmp_path / "sites.xlsx")
    page.set_input_files("#id_file", str(tmp_path / "sites.xlsx"))
    page.get_by_role("button", name="Preview import").click()

    plan = page.locator("table.bulk-plan")
    expect(plan).to_contain_text("Site 103 (Tokyo Medical, Tokyo)")
    expect(plan).to_contain_text("Dr PI 101 → Dr New")
    page.screenshot(path=ARTIFACTS / "bulk-1-preview.png", full_page=True)
    page.get_by_role("button", name="Confirm import").click()

    expect(page.locator(".messages")).to_contain_text("Imported sites.xlsx: 1 created, 1 changed")
    sites = page.locator("#tab-sites")
    expect(sites).to_contain_text("Dr Sato")
    expect(sites.locator("tr", has_text="Dr Sato")).to_contain_text("Selected")
    page.screenshot(path=ARTIFACTS / "bulk-2-sites.png", full_page=True)

    with page.expect_download() as download:
        sites.get_by_role("link", name="Export to Excel").click()
    sheet = load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["101", "102", "103"]
