"""Notifications for people: what happened or fell due, read in the inbox and sent by e-mail.

Notifications are messages to one person, not trial records: they are not audited (the event they tell
of is, by the app that owns it). Each names the study it is about, so that a person who loses access to
the study no longer reads it (Notification.objects.visible_to).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from trialdesk.core.permissions import can_see_subject_level
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.notifications.rules import Delivery, Kind
from trialdesk.studies.models import Study


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The person's own notifications, about studies they may still see (or about no study), those
        about participants only where they may still see subject-level data."""
        if not user.is_authenticated:
            return self.none()
        mine = self.filter(recipient=user)
        if is_administrator(user):
            return mine
        facts = role_facts(user)
        studies = set(facts.study_roles) | set(facts.study_of_site.values())
        blind = [study_id for study_id in studies if not can_see_subject_level(user, study_id)]
        return mine.filter(Q(study__isnull=True) | Q(study__in=Study.objects.visible_to(user))).exclude(
            subject_level=True, study_id__in=blind
        )

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One message to one person: what, about which study, where to act, and whether it was read."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    study = models.ForeignKey(Study, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # About a participant: never shown or sent to someone who may not see the study's subject-level data.
    subject_level = models.BooleanField(default=False)
    # What makes a scanned "my work" item the same from one scan to the next (empty for events).
    key = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], condition=~Q(key=""), name="notified_once_per_item"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryPreference(models.Model):
    """How a person wants e-mail about one kind of notification (none stored: the kind's default)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_delivery_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.delivery}"


class HomePage(models.TextChoices):
    MY_WORK = "my_work", "My work"
    PORTFOLIO = "portfolio", "Portfolio"


class HomePreference(models.Model):
    """The page a person lands on after signing in (none stored: my work for people with a role)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="home_preference"
    )
    home = models.CharField(max_length=20, choices=HomePage.choices)

    def __str__(self) -> str:
        return self.home


class DigestSent(models.Model):
    """A daily digest sent to a person for a day: sent once, however often the command runs."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)
    notifications = models.PositiveIntegerField(default=0)
    work_items = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "day"], name="one_digest_a_day")]

    def __str__(self) -> str:
        return f"digest of {self.day}"
