"""Raising notifications, reading them, and people's choices about them.

Apps above raise event notifications with `notify(...)` (an action item assigned, a report submitted for
review, a signal opened); the due, overdue and lapsing ones come from "my work" (`notifications.scan`).
E-mail goes after the transaction commits, so a mail server that is down never undoes the event.
"""

from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core.models import RoleAssignment
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.core.roles import Role
from trialdesk.notifications import mail, rules
from trialdesk.notifications.models import DeliveryPreference, HomePage, HomePreference, Notification
from trialdesk.studies.models import Study

TITLE_LIMIT = Notification._meta.get_field("title").max_length
URL_LIMIT = Notification._meta.get_field("url").max_length


def _drawn(text: str | Callable[[], str]) -> str:
    return text() if callable(text) else text


def notify(
    recipients: Iterable,
    kind: str,
    title: str | Callable[[], str],
    url: str = "",
    *,
    study: Study | None = None,
    body: str | Callable[[], str] = "",
    subject_level: bool = False,
    actor=None,
) -> list[Notification]:
    """Tell each recipient (once, however often named) in the app, and by e-mail when they chose
    "immediately". People who may not see the study are left out, and so are those who may not see its
    subject-level data when the text is about a participant (`subject_level`), and the `actor` whose
    own act it tells of. `title` and `body` may be callables that draw the text through gettext: each
    is called in the recipient's language."""
    if kind not in rules.Kind.values:
        raise ValidationError({"kind": f"Unknown kind of notification {kind!r}."})
    people = {
        person.pk: person
        for person in recipients
        if person is not None and person.is_active and (actor is None or person.pk != actor.pk)
    }
    made = []
    for person in people.values():
        if not may_read(person, study, subject_level=subject_level):
            continue
        with mail.in_language_of(person):
            made.append(
                Notification(
                    recipient=person,
                    kind=kind,
                    title=_drawn(title)[:TITLE_LIMIT],
                    body=_drawn(body),
                    url=url[:URL_LIMIT],
                    study=study,
                    subject_level=subject_level,
                )
            )
    created = Notification.objects.bulk_create(made)
    ids = [notification.pk for notification in created]
    transaction.on_commit(lambda: mail.send_immediately(ids), robust=True)
    return created


def crms_of(study: Study) -> list:
    """The study's Clinical Research Managers (who review reports and take escalations)."""
    return _holders(RoleAssignment.objects.filter(role=Role.CRM, study=study))


def monitors_of(study_site) -> list:
    """The CRAs monitoring a study site."""
    return _holders(RoleAssignment.objects.filter(role=Role.MONITOR, study_site=study_site))


def _holders(assignments) -> list:
    return [assignment.user for assignment in assignments.select_related("user").order_by("user_id")]


def may_read(person, study: Study | None, *, subject_level: bool) -> bool:
    if study is None:
        return True
    if not Study.objects.visible_to(person).filter(pk=study.pk).exists():
        return False
    return not subject_level or can_see_subject_level(person, study.pk)


def mark_read(*, notification: Notification, by) -> Notification:
    """Mark one of the person's own notifications read (again: no change)."""
    if notification.recipient_id != by.pk:
        raise ValidationError({"notification_id": "This notification is not yours."})
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_unread(*, notification: Notification, by) -> Notification:
    if notification.recipient_id != by.pk:
        raise ValidationError({"notification_id": "This notification is not yours."})
    notification.read_at = None
    notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(*, by) -> int:
    """Mark every unread notification of the person read; how many were."""
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_deliveries(*, person, deliveries: dict[str, str]) -> None:
    """Store the person's e-mail choice for each kind named (immediately, daily digest or off)."""
    problems = {
        kind: f"Choose one of: {', '.join(rules.Delivery.values)}."
        for kind, delivery in deliveries.items()
        if delivery not in rules.Delivery.values
    }
    problems |= {
        kind: "Unknown kind of notification." for kind in deliveries if kind not in rules.Kind.values
    }
    if problems:
        raise ValidationError(problems)
    for kind, delivery in deliveries.items():
        DeliveryPreference.objects.update_or_create(person=person, kind=kind, defaults={"delivery": delivery})


def set_home(*, person, home: str) -> None:
    """Store the page the person lands on after signing in."""
    if home not in HomePage.values:
        raise ValidationError({"home": f"Choose one of: {', '.join(HomePage.values)}."})
    HomePreference.objects.update_or_create(person=person, defaults={"home": home})
