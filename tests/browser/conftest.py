"""Fixtures of the browser tests: a headless Debian chromium page, and the seeded server of test_smoke."""

import pytest

from tests.browser.live import CHROMIUM, CHROMIUM_ARGS, live_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The test world of tests/browser/seed.py behind a real server; its base URL."""
    with live_server(tmp_path_factory.mktemp("trialdesk-data"), [["-m", "tests.browser.seed"]]) as live:
        yield live.base_url


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
