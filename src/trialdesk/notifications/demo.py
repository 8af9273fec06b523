"""The demo's notifications, so that each demo user's inbox is not empty after `trialdesk demo`: the
scan of what is due for them today (as the daily cron job would raise), and a welcome note."""

from django.urls import reverse
from django.utils import timezone

from trialdesk.notifications import rules, services
from trialdesk.notifications.models import Notification
from trialdesk.notifications.scan import scan

# Last: after every step that leaves work for the demo users.
AFTER = ("*",)


def load(demo) -> None:
    result = scan(today=demo.today, send=False)
    people = [user for user in demo.users.values() if user.is_active]
    services.notify(
        people,
        rules.Kind.NOTE,
        "Welcome to Trialdesk: your work and notifications start here",
        reverse("my_work"),
        body="What is due for you is on My work; choose what comes by e-mail on the choices page.",
    )
    # The demo's addresses are fictional: what it loads counts as delivered, so nothing is e-mailed (or
    # printed by the console backend) when the demo commits, nor put in a digest.
    Notification.objects.filter(emailed_at__isnull=True).update(emailed_at=timezone.now())
    demo.summary.append(f"{result.total + len(people)} notifications for the demo users")
