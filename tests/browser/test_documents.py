"""Essential documents in a real browser: the CRM files a missing ethics approval from the Documents tab,
sees completeness change, files a new version and downloads it.

A real server runs as a subprocess on a temporary SQLite database and data directory (see test_smoke.py).
"""

import re

import pytest

from tests.browser.live import ARTIFACTS, PASSWORD, live_server

pytestmark = pytest.mark.browser

# After the test world is seeded: protocol 1.0 of study A approved, so its documents are expected.
APPROVE_PROTOCOL = """
import datetime as dt, django
django.setup()
from trialdesk.core.models import User
from trialdesk.studies import services
from trialdesk.studies.models import ProtocolVersion
admin = User.objects.get(username="admin")
version = ProtocolVersion.objects.get(study__code="ONC-A", number="1.0")
for status in ("submitted", "approved", "effective"):
    version = services.change_protocol_status(
        protocol_version=version, to=status, on=dt.date(2025, 2, 1), by=admin, reason=status)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    seeds = [["-m", "tests.browser.seed"], ["-c", APPROVE_PROTOCOL]]
    with live_server(tmp_path_factory.mktemp("trialdesk-documents"), seeds) as live:
        yield live.base_url, live.data_dir


PDF = b"%PDF-1.4\n% ethics committee approval letter\n%%EOF\n"


def test_crm_files_a_missing_ethics_approval_and_downloads_a_new_version(server, page):
    from playwright.sync_api import expect

    base_url, data_dir = server
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base_url + "/login/")
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.locator("#portfolio-table").get_by_role("link", name="ONC-A").click()
    page.get_by_role("tab", name="Regulatory & documents").click()
    page.get_by_role("tab", name="Documents", exact=True).click()
    completeness = page.locator("#document-completeness")
    expect(completeness.locator("tr", has_text="Whole study")).to_contain_text("0%")
    site_101 = completeness.locator("tr", has_text="Site 101 (DE)")
    on_file_before = int(site_101.locator("td").nth(1).inner_text())
    page.screenshot(path=ARTIFACTS / "documents-1-tab.png", full_page=True)

    missing = page.locator("tr", has_text="Ethics approval (protocol v1.0)").filter(has_text="Site 101")
    missing.get_by_role("link", name="File").click()
    expect(page.locator("#id_artifact_number")).to_have_value("04.01.02")
    page.fill("#id_document_date", "2025-02-10")
    page.fill("#id_expires_on", "2026-02-09")
    page.set_input_files("#id_file", {"name": "approval.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.get_by_role("button", name="File the document").click()

    expect(page.locator(".messages")).to_contain_text("Filed: Ethics approval (protocol v1.0).")
    expect(page.locator("#document-versions")).to_contain_text("approval.pdf")
    page.fill("#id_document_date", "2025-03-01")
    page.set_input_files(
        "#id_file", {"name": "approval-v2.pdf", "mimeType": "application/pdf", "buffer": PDF + b"%v2\n"}
    )
    page.get_by_role("button", name="Upload new version").click()
    versions = page.locator("#document-versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("current")
    expect(versions.nth(1)).to_contain_text("superseded")
    page.screenshot(path=ARTIFACTS / "documents-2-versions.png", full_page=True)

    with page.expect_download() as download:
        versions.first.get_by_role("link", name="Download").click()
    assert download.value.suggested_filename == "approval-v2.pdf"
    assert open(download.value.path(), "rb").read() == PDF + b"%v2\n"

    page.get_by_role("link", name=re.compile("Documents tab")).click()
    site_101 = page.locator("#document-completeness tr", has_text="Site 101 (DE)")
    assert int(site_101.locator("td").nth(1).inner_text()) == on_file_before + 1
    assert len([p for p in (data_dir / "documents").rglob("*") if p.is_file()]) == 2
