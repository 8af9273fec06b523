"""E-mail through a real SMTP server (aiosmtpd on a free local port): immediate notifications, the daily
digest (`trialdesk notify digest`, once per person per day, --dry-run sends nothing), and a sponsor
viewer's mail that names no participant."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_participant
from trialdesk.notifications import services
from trialdesk.notifications.models import DigestSent
from trialdesk.safety.tests.factories import AWARE, make_adverse_event

DAY = "2025-03-20"


def run(*args) -> str:
    out = io.StringIO()
    call_command("notify", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_an_assigned_item_is_emailed_at_once(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            [world.monitor], "assigned", "Action item AI-1 assigned to you", "/my-work/", study=world.study_a
        )
    [message] = smtp.messages
    assert message.recipients == (world.monitor.email,)
    assert message.subject == "[Trialdesk] Action item AI-1 assigned to you"
    assert "- ONC-A: Action item AI-1 assigned to you" in message.lines
    assert "  https://trialdesk.example.org/my-work/" in message.lines
    assert "https://trialdesk.example.org/me/notifications/preferences/" in message.lines


def test_a_kind_chosen_for_the_digest_or_off_is_not_emailed_at_once(
    world, smtp, django_capture_on_commit_callbacks
):
    services.set_deliveries(person=world.monitor, deliveries={"assigned": "off"})
    with django_capture_on_commit_callbacks(execute=True):
        services.notify([world.monitor], "assigned", "Quiet", "/x/")
        services.notify([world.crm], "signal_opened", "In the digest", "/x/")
    assert smtp.messages == []


def test_the_digest_is_sent_once_a_day(world, smtp, clock):
    clock.move_to(dt.datetime(2025, 3, 20, 6, 0, tzinfo=dt.UTC))
    services.notify(
        [world.crm], "signal_opened", "Signal opened at site 101", "/signals/1/", study=world.study_a
    )
    printed = run("digest", "--as-of", DAY)
    [message] = smtp.to(world.crm.email)
    assert message.subject.startswith("[Trialdesk] Your digest for 2025-03-20: 1 new notification")
    assert "- ONC-A: Signal opened at site 101" in message.lines
    assert f"Sent to {world.crm.username} <{world.crm.email}>" in printed
    assert DigestSent.objects.filter(person=world.crm, day=dt.date(2025, 3, 20)).exists()
    again = run("digest", "--as-of", DAY)
    assert len(smtp.to(world.crm.email)) == 1 and "Digests for 2025-03-20: 0 sent" in again


def test_a_dry_run_prints_and_sends_nothing(world, smtp, clock):
    clock.move_to(dt.datetime(2025, 3, 20, 6, 0, tzinfo=dt.UTC))
    services.notify(
        [world.crm], "signal_opened", "Signal opened at site 101", "/signals/1/", study=world.study_a
    )
    printed = run("digest", "--as-of", DAY, "--dry-run")
    assert f"Would send to {world.crm.username} <{world.crm.email}>" in printed
    assert "- ONC-A: Signal opened at site 101" in printed and "(dry run: nothing sent)" in printed
    assert smtp.messages == [] and not DigestSent.objects.exists()


def test_the_sponsor_viewers_mail_names_no_participant(world, smtp, clock):
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    make_adverse_event(participant, by=world.crm)
    clock.move_to(AWARE + dt.timedelta(days=10))
    about_participant = "Signal opened: AE-0001 of participant 101-001"
    everyone = [world.crm, world.sponsor_viewer]
    services.notify(
        everyone, "signal_opened", about_participant, "/x/", study=world.study_a, subject_level=True
    )
    services.notify(
        everyone, "report_to_review", "Monitoring report of site 101 to review", "/y/", study=world.study_a
    )
    run("digest", "--as-of", "2025-03-20")
    [sponsor] = smtp.to(world.sponsor_viewer.email)
    assert "- ONC-A: Monitoring report of site 101 to review" in sponsor.lines
    assert "101-001" not in sponsor.body + sponsor.subject and "AE-0001" not in sponsor.body
    [crm] = smtp.to(world.crm.email)
    assert f"- ONC-A: {about_participant}" in crm.lines


def test_a_bad_day_is_refused_naming_the_option(db):
    with pytest.raises(CommandError, match="--as-of must be a date written YYYY-MM-DD"):
        run("digest", "--as-of", "20/03/2025")


def test_a_german_reader_gets_the_notification_and_its_e_mail_in_german(
    world, smtp, django_capture_on_commit_callbacks
):
    from django.utils.translation import gettext

    world.monitor.language = "de"
    world.monitor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            [world.monitor, world.crm],
            "assigned",
            lambda: gettext("Due %(day)s (overdue)") % {"day": "2025-03-20"},  # drawn for each reader
            "/my-work/",
            study=world.study_a,
        )
    titles = dict(world.monitor.inbox.values_list("kind", "title"))
    assert titles == {"assigned": "Fällig am 2025-03-20 (überfällig)"}
    assert world.crm.inbox.get().title == "Due 2025-03-20 (overdue)"  # the CRM chose no language
    [message] = [m for m in smtp.messages if m.recipients == (world.monitor.email,)]
    assert message.subject.strip() == "[Trialdesk] Fällig am 2025-03-20 (überfällig)"
    assert any(line.startswith("Gesendet am ") for line in message.lines)
