"""Each person's daily digest: the notifications not yet e-mailed to them (those they get by digest, and
any "immediately" one whose e-mail failed), and what is due for them this week from "my work".

One digest per person per day (DigestSent), however often `trialdesk notify digest` runs that day.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from trialdesk.core import work
from trialdesk.core.extensions import WorkItem
from trialdesk.notifications import mail, rules
from trialdesk.notifications.models import DigestSent, Notification
from trialdesk.notifications.scan import people_with_work
from trialdesk.notifications.selectors import deliveries_for

WORK_HORIZON = dt.timedelta(days=7)
MOST_WORK_LINES = 25


@dataclass(frozen=True)
class Digest:
    """One person's digest for a day, ready to send."""

    person: object
    day: dt.date
    notifications: tuple[Notification, ...]
    work: tuple[WorkItem, ...]

    @property
    def subject(self) -> str:
        """In the person's language, as is the body (mail.in_language_of)."""
        overdue = sum(1 for item in self.work if item.overdue)
        with mail.in_language_of(self.person):
            new, n = len(self.notifications), len(self.work)
            parts = [
                ngettext("%(count)s new notification", "%(count)s new notifications", new) % {"count": new},
                ngettext("%(count)s item due this week", "%(count)s items due this week", n) % {"count": n},
            ]
            if overdue:
                parts.append(gettext("%(count)s overdue") % {"count": overdue})
            return mail.SUBJECT_PREFIX + gettext("Your digest for %(day)s: %(parts)s") % {
                "day": self.day.isoformat(),
                "parts": ", ".join(parts),
            }

    @property
    def body(self) -> str:
        with mail.in_language_of(self.person):
            return self._body()

    def _body(self) -> str:
        name = self.person.get_full_name() or self.person.username
        lines = [gettext("Hello %(name)s,") % {"name": name}, ""]
        if self.notifications:
            lines += [gettext("New notifications:"), ""]
            for notification in self.notifications:
                lines += mail.notification_lines(notification)
            lines.append("")
        if self.work:
            lines += [
                gettext(
                    "Due for you (overdue first, then soonest due; "
                    "dates are the site's or party's local day):"
                ),
                "",
            ]
            for item in self.work[:MOST_WORK_LINES]:
                flag = " " + gettext("OVERDUE") if item.overdue else ""
                lines.append(f"- {item.due_on.isoformat()}{flag} {item.study_code}: {item.title}")
            if len(self.work) > MOST_WORK_LINES:
                more = len(self.work) - MOST_WORK_LINES
                lines.append("- " + gettext("and %(count)s more") % {"count": more})
            lines += ["", gettext("All your work: %(url)s") % {"url": mail.absolute("/my-work/")}]
        lines += mail.footer()
        return "\n".join(lines) + "\n"

    def message(self) -> EmailMessage:
        return EmailMessage(subject=self.subject, body=self.body, to=[self.person.email])


def digest_for(person, day: dt.date) -> Digest | None:
    """The person's digest for `day`, or None when there is nothing to tell or no address to send to."""
    if not person.email:
        return None
    choices = deliveries_for(person)
    waiting = (
        Notification.objects.filter(recipient=person, emailed_at__isnull=True, created_at__lt=_end_of(day))
        .select_related("study")
        .order_by("created_at", "id")
    )
    notifications = [n for n in waiting if choices.get(n.kind) != rules.Delivery.OFF]
    notifications = mail.sendable(notifications, person)
    with mail.in_language_of(person):  # the items' words in the person's language
        items = work.work_for(person, day)
    due = [item for item in items if item.overdue or item.due_on <= day + WORK_HORIZON]
    if not notifications and not due:
        return None
    return Digest(person, day, tuple(notifications), tuple(due))


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def digests(day: dt.date, people=None) -> list[Digest]:
    """The digests due on `day`: for everyone (default) who has not had that day's digest yet."""
    already = set(DigestSent.objects.filter(day=day).values_list("person_id", flat=True))
    found = []
    for person in people if people is not None else people_with_work():
        if person.pk not in already and (digest := digest_for(person, day)) is not None:
            found.append(digest)
    return found


def send(digest: Digest) -> bool:
    """Send one digest and record it; False when it had been sent already (another run was faster)."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(
                person=digest.person,
                day=digest.day,
                notifications=len(digest.notifications),
                work_items=len(digest.work),
            )
            get_connection(fail_silently=False).send_messages([digest.message()])
            Notification.objects.filter(pk__in=[n.pk for n in digest.notifications]).update(
                emailed_at=timezone.now()
            )
    except IntegrityError:
        return False
    return True
