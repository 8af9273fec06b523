"""After `trialdesk demo` every demo user's inbox holds notifications (what is due for them, a welcome),
and nothing is e-mailed to the demo's fictional addresses."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from trialdesk.core.demo import PEOPLE
from trialdesk.notifications.models import Notification


@pytest.mark.django_db
def test_the_demo_fills_every_inbox_and_emails_nobody(django_capture_on_commit_callbacks, client):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())
    for person in PEOPLE:
        assert Notification.objects.filter(recipient__username=person.username).exists(), person.username
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"note", "overdue", "assigned"} <= kinds, kinds
    assert mail.outbox == []
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
