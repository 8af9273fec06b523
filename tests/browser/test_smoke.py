"""The CRM's everyday path in a real browser: sign in, portfolio, study, milestone change, history.

A real server runs as a subprocess on a temporary SQLite database: pytest-django's live_server would
flush tables between tests, which the audit trail's append-only triggers rightly refuse.
"""

import contextlib
import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"  # tests.factories.PASSWORD, the seeded people's password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.3)
    raise TimeoutError(f"the server did not answer {url} within {timeout} s")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("trialdesk-data")
    env = {**os.environ, "TRIALDESK_DATA_DIR": str(data_dir), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)  # always the temporary SQLite database
    env["DJANGO_SETTINGS_MODULE"] = "trialdesk.settings"
    subprocess.run([BIN / "trialdesk", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([BIN / "python", "-m", "tests.browser.seed"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [BIN / "trialdesk", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base_url}/login/", process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_crm_changes_a_milestone_date_and_sees_it_in_the_history(server, page):
    from playwright.sync_api import expect

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    page.fill("#id_username", "crm_anna")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    portfolio = page.locator("#portfolio-table")
    expect(portfolio).to_contain_text("ONC-A")
    expect(portfolio).not_to_contain_text("CARD-B")
    page.screenshot(path=ARTIFACTS / "smoke-1-portfolio.png", full_page=True)

    portfolio.get_by_role("link", name="ONC-A").click()
    expect(page.locator("h1")).to_contain_text("ONC-A")
    page.get_by_role("tab", name="Milestones").click()
    milestones = page.locator("#tab-milestones")
    expect(milestones).to_be_visible()
    expect(page).to_have_url(re.compile(r"tab=milestones"))  # htmx pushed the tab's address

    row = milestones.locator("tr", has_text="First participant in")
    expect(row).to_contain_text("2025-06-20")
    row.get_by_role("link", name="Edit").click()
    page.fill("#id_forecast_on", "2025-07-15")
    page.fill("#id_reason", "Two sites activated late")
    page.screenshot(path=ARTIFACTS / "smoke-2-milestone-form.png", full_page=True)
    page.get_by_role("button", name="Save").click()

    expect(page.locator(".messages")).to_contain_text("Milestone saved.")
    expect(page.locator("#tab-milestones tr", has_text="First participant in")).to_contain_text("2025-07-15")

    page.get_by_role("tab", name="History").click()
    change = page.locator("#tab-history tbody > tr", has_text="Two sites activated late")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("milestone.updated")
    expect(change).to_contain_text("crm_anna")
    expect(change.locator("tr", has_text="forecast_on")).to_contain_text("2025-06-20")
    expect(change.locator("tr", has_text="forecast_on")).to_contain_text("2025-07-15")
    page.screenshot(path=ARTIFACTS / "smoke-3-history.png", full_page=True)
