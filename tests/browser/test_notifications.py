"""Notifications in a real browser and by real e-mail (issue 16 §2): the CRM assigns an action item to the
site's CRA on the page; the server (a subprocess, SMTP settings from its environment as in production)
sends the CRA an e-mail that a local SMTP server (aiosmtpd) receives; the CRA's inbox shows the
notification unread, then read once marked.

The seed is this module run as a script (`python -m tests.browser.test_notifications`): the test world.
"""

import email
import email.policy
import os
import re
import socket
import time

import pytest

from tests.browser.live import PASSWORD, live_server

pytestmark = pytest.mark.browser


class Inbox:
    """What the local SMTP server received: (recipients, subject, plain text) per message."""

    def __init__(self):
        self.messages: list[tuple[tuple[str, ...], str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        self.messages.append((tuple(envelope.rcpt_tos), str(message["Subject"]), body))
        return "250 Message accepted for delivery"

    def wait_for(self, address: str, timeout: float = 10) -> tuple[str, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for recipients, subject, body in self.messages:
                if address in recipients:
                    return subject, body
            time.sleep(0.1)
        raise AssertionError(f"no e-mail to {address} within {timeout} s; received {self.messages}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    inbox = Inbox()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory, smtp):
    _, port = smtp
    mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "EMAIL_USE_TLS": "", "EMAIL_TIMEOUT": "5"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in mail.items():
            patch.setenv(name, value)
        patch.delenv("EMAIL_BACKEND", raising=False)
        seeds = [["-m", "tests.browser.test_notifications"]]
        with live_server(tmp_path_factory.mktemp("trialdesk-notifications"), seeds) as live:
            yield live.base_url, re.search(r"site (\d+)", live.seed_output).group(1)


def sign_in(page, base_url, username):
    page.context.clear_cookies()
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def test_an_assigned_action_item_is_emailed_and_shown_unread_then_read(server, smtp, page):
    from playwright.sync_api import expect

    base_url, site_id = server
    inbox, _ = smtp
    sign_in(page, base_url, "crm_anna")
    page.goto(f"{base_url}/study-sites/{site_id}/monitoring/action-items/new/")
    page.fill("#id_description", "File the signed delegation log for Dr Weiss")
    owner = page.locator("#id_owner option", has_text=re.compile(r"monitor.mia", re.IGNORECASE))
    page.select_option("#id_owner", value=owner.first.get_attribute("value"))
    page.fill("#id_due_on", "2030-01-31")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/monitoring/action-items/\d+/"))

    subject, body = inbox.wait_for("monitor_mia@example.org")
    assert subject.startswith("[Trialdesk] Assigned to you: ")
    assert "File the signed delegation log" in body and "/monitoring/action-items/" in body

    sign_in(page, base_url, "monitor_mia")
    page.goto(base_url + "/me/notifications/")
    row = page.locator("#notifications tbody tr", has_text="File the signed delegation log")
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(page.locator("#unread-count")).to_have_text("1")
    row.get_by_role("button", name="Mark read").click()
    row = page.locator("#notifications tbody tr", has_text="File the signed delegation log")
    expect(row).to_have_class(re.compile(r"\bread\b"))
    expect(row.get_by_role("button", name="Mark unread")).to_be_visible()
    expect(page.get_by_text("No unread notifications.")).to_be_visible()


def main() -> None:
    """Seed: the test world (tests.factories), printing the id of site A1 where the item is assigned."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world

    world = build_world()
    print(f"seeded: site {world.site_a1.pk}")


if __name__ == "__main__":
    main()
