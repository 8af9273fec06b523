"""E-mail through Django's e-mail framework (settings.EMAIL_*): one message per notification for people
who chose "immediately", and each person's daily digest (notifications.digest).

What a message says is what the person may read in the app: notifications about studies they may no
longer see, or about participants when they may not see subject-level data, are never sent.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from trialdesk.notifications import rules
from trialdesk.notifications.models import DeliveryPreference, Notification

log = logging.getLogger(__name__)
SUBJECT_PREFIX = "[Trialdesk] "


def in_language_of(person):
    """Draw texts in `person`'s language (their choice on the Me page; else the site's default): a
    notification and its e-mail are written for one reader, who may not read English."""
    return translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE)


def absolute(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


def sendable(notifications, person) -> list[Notification]:
    """The notifications the person may still read (Notification.objects.visible_to), in order."""
    ids = [notification.pk for notification in notifications]
    visible = set(Notification.objects.visible_to(person).filter(pk__in=ids).values_list("pk", flat=True))
    return [notification for notification in notifications if notification.pk in visible]


def notification_lines(notification: Notification) -> list[str]:
    where = f"{notification.study.code}: " if notification.study_id else ""
    lines = [f"- {where}{notification.title}"]
    if notification.body:
        lines.append(f"  {notification.body}")
    if notification.url:
        lines.append(f"  {absolute(notification.url)}")
    return lines


def footer() -> list[str]:
    return [
        "",
        "--",
        gettext("Trialdesk. Choose which notifications you get by e-mail, and how often:"),
        absolute(reverse("notification_preferences")),
    ]


def immediate_message(notification: Notification) -> EmailMessage:
    """The e-mail of one notification, in its recipient's language (their choice on the Me page)."""
    with in_language_of(notification.recipient):
        lines = [
            gettext(rules.Kind(notification.kind).label) + ":",
            *notification_lines(notification),
            "",
            gettext("Sent %(when)s UTC.") % {"when": f"{notification.created_at:%Y-%m-%d %H:%M}"},
            *footer(),
        ]
    return EmailMessage(
        subject=(SUBJECT_PREFIX + notification.title)[:200],
        body="\n".join(lines) + "\n",
        to=[notification.recipient.email],
    )


def send_immediately(notification_ids: list[int]) -> int:
    """Send each of these notifications to its recipient when they chose "immediately" for its kind and
    have an e-mail address; how many were sent. A failure is logged and the notification stays unsent,
    so the next digest carries it."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient", "study")
    )
    chosen = _choices({n.recipient_id for n in notifications})
    due = [
        n
        for n in notifications
        if rules.delivery_for(n.kind, chosen.get(n.recipient_id, {})) == rules.Delivery.IMMEDIATELY
    ]
    sent = 0
    for notification in due:
        if not sendable([notification], notification.recipient):
            continue
        try:
            get_connection(fail_silently=False).send_messages([immediate_message(notification)])
        except Exception:  # the mail server's failure must not break the event that raised it
            log.exception("E-mail of notification %s to %s failed", notification.pk, notification.recipient)
            continue
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def _choices(person_ids) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    rows = DeliveryPreference.objects.filter(person_id__in=person_ids).values_list(
        "person_id", "kind", "delivery"
    )
    for person_id, kind, delivery in rows:
        found.setdefault(person_id, {})[kind] = delivery
    return found
