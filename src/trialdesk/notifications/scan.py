""" "My work" turned into notifications: each person's items due within 24 hours, overdue, or (approvals)
lapsing within 30 days, and each overdue item escalated to the study's CRM.

The items come from every app through core.extensions.my_work (core.work.work_for), so this app imports
none of them. A scan may run as often as wanted: each (person, item, kind) is notified once.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import work
from trialdesk.core.models import RoleAssignment, User
from trialdesk.core.roles import Role
from trialdesk.notifications import mail, rules
from trialdesk.notifications.models import Notification
from trialdesk.studies.models import Study


@dataclass
class ScanResult:
    """What a scan raised, per kind, and for whom (usernames)."""

    raised: dict[str, int] = field(default_factory=dict)
    people: set[str] = field(default_factory=set)
    emailed: int = 0

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def people_with_work():
    """Everyone who may have work: active people with a role on a study or at a site."""
    return User.objects.filter(is_active=True, role_assignments__isnull=False).distinct().order_by("username")


def scan(*, today: dt.date, people=None, send: bool = True) -> ScanResult:
    """Raise the notifications "my work" calls for on `today`, for `people` (default: everyone), and
    e-mail those their people want at once (unless `send` is False)."""
    result = ScanResult()
    pending: list[Notification] = []
    escalations: list[tuple[User, work.WorkItem]] = []
    studies = {study.code: study for study in Study.objects.all()}
    for person in people if people is not None else people_with_work():
        with mail.in_language_of(person):  # the items' words, and so the notifications', in their language
            for item in work.work_for(person, today):
                key = rules.item_key(source=item.kind, url=item.url, due_on=item.due_on)
                for kind in rules.kinds_raised(
                    source=item.kind, due_on=item.due_on, overdue=item.overdue, today=today
                ):
                    pending.append(_notification(person, kind, item, key, studies))
                if rules.escalates(source=item.kind, overdue=item.overdue):
                    escalations.append((person, item))
    own = {(n.recipient.pk, n.key) for n in pending}  # a CRM's own overdue item is not escalated to them
    pending += [n for n in _escalated(escalations, studies) if (n.recipient.pk, n.key) not in own]
    with transaction.atomic():
        created = _create_new(pending)
    for notification in created:
        result.raised[notification.kind] = result.raised.get(notification.kind, 0) + 1
        result.people.add(notification.recipient.username)
    result.emailed = mail.send_immediately([n.pk for n in created]) if send else 0
    return result


def _notification(person, kind: str, item: work.WorkItem, key: str, studies, title: str = "") -> Notification:
    return Notification(
        recipient=person,
        kind=kind,
        title=(title or item.title)[:300],
        body=(gettext("Due %(day)s (overdue)") if item.overdue else gettext("Due %(day)s"))
        % {"day": item.due_on.isoformat()},
        url=item.url[:500],
        study=studies.get(item.study_code),
        key=key,
    )


def _escalated(escalations, studies) -> list[Notification]:
    """Each overdue item, to the CRMs of its study (not to the person whose item it is)."""
    codes = {item.study_code for _, item in escalations}
    crms: dict[str, list[User]] = {}
    for assignment in RoleAssignment.objects.filter(
        role=Role.CRM, study__code__in=codes, user__is_active=True
    ).select_related("user", "study"):
        crms.setdefault(assignment.study.code, []).append(assignment.user)
    found = []
    for person, item in escalations:
        key = rules.item_key(source=item.kind, url=item.url, due_on=item.due_on)
        whose = person.get_full_name() or person.username
        for crm in crms.get(item.study_code, []):
            if crm.pk != person.pk:
                # In the CRM's language; the item's own title stays as its owner read it.
                with mail.in_language_of(crm):
                    title = gettext("Overdue for %(whose)s: %(title)s") % {
                        "whose": whose,
                        "title": item.title,
                    }
                    notification = _notification(crm, rules.Kind.ESCALATION, item, key, studies, title)
                notification.subject_level = True  # the item's words were written for its owner
                found.append(notification)
    return found


def _create_new(pending: list[Notification]) -> list[Notification]:
    """Those of `pending` not raised before (nor twice in this scan), created."""
    seen: set[tuple] = set()
    fresh = []
    known = set(
        Notification.objects.filter(key__in={n.key for n in pending}).values_list(
            "recipient_id", "kind", "key"
        )
    )
    for notification in pending:
        identity = (notification.recipient.pk, notification.kind, notification.key)
        if identity in known or identity in seen:
            continue
        seen.add(identity)
        fresh.append(notification)
    return Notification.objects.bulk_create(fresh)
