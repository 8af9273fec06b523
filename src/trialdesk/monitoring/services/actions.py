"""Writes of action items: raised by the CRA (from a finding or a signal), resolved by their owner or
the site, verified and closed (or reopened) by the CRA."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.monitoring.models import ActionItem, VisitReport
from trialdesk.monitoring.permissions import ONLY_SITE_CRA, can_monitor_site, can_work_on_action_item
from trialdesk.monitoring.rules import actions as rules
from trialdesk.monitoring.services.numbering import next_number
from trialdesk.notifications.services import notify
from trialdesk.sites.models import StudySite

ITEM_FIELDS = ("description", "owner", "owner_party", "due_on", "finding")
NOT_YOURS = gettext_lazy("Only the item's owner, the site's staff, its CRA or the study's CRM resolves it.")


@transaction.atomic
def raise_action_item(
    *,
    study_site: StudySite,
    by: User | None,
    report: VisitReport | None = None,
    signal=None,
    reason: str = "",
    **values,
) -> ActionItem:
    """An action item at the site (its CRA or the study's CRM), raised today at the site."""
    if by is not None:
        require(can_monitor_site(by, study_site), ONLY_SITE_CRA)
    values = records.only_fields(values, ITEM_FIELDS)
    if report is not None and report.status not in ("draft", "returned"):
        raise ValidationError(
            {"report": gettext("A %(status)s report takes no new action items.") % {"status": report.status}}
        )
    item = ActionItem(
        study_id=study_site.study_id,
        study_site=study_site,
        number=next_number(ActionItem.objects.filter(study_id=study_site.study_id)),
        report=report,
        signal=signal,
        raised_on=study_site.local_today(),
        **values,
    )
    return _tell_owner(records.create_record(item, by=by, reason=reason), by=by)


@transaction.atomic
def update_action_item(
    *, item: ActionItem, changes: dict, by: User, reason: str, expected_version: int | None = None
) -> ActionItem:
    """Change what is to be done, by whom or by when (the CRA or the CRM)."""
    require(can_monitor_site(by, item.study_site), ONLY_SITE_CRA)
    if item.status == rules.CLOSED:
        raise ValidationError({"status": gettext("A closed action item cannot change; raise a new one.")})
    changes = records.only_fields(changes, ITEM_FIELDS)
    owner = item.owner_id
    item = records.update_record(
        item, changes=changes, by=by, reason=reason, expected_version=expected_version
    )
    return _tell_owner(item, by=by) if item.owner_id != owner else item


@transaction.atomic
def move_action_item(
    *,
    item: ActionItem,
    move: str,
    by: User,
    resolution: str = "",
    reason: str = "",
    expected_version: int | None = None,
) -> ActionItem:
    """Resolve (saying what was done), or verify: close, or reopen with a reason."""
    problem = rules.move_problem(item.status, move)
    if move in rules.VERIFYING_MOVES:
        require(
            can_monitor_site(by, item.study_site),
            "Only the site's CRA or the study's CRM verifies an action item.",
        )
    else:
        require(can_work_on_action_item(by, item), NOT_YOURS)
    if problem:
        raise ValidationError({"to": problem})
    today = item.study_site.local_today()
    changes: dict = {"status": rules.ACTION_MOVES[(item.status, move)]}
    if move == "resolve":
        if not (resolution or "").strip():
            raise ValidationError({"resolution": gettext("Say what was done.")})
        changes.update(resolution=resolution.strip(), resolved_on=today, resolved_by=by)
        reason = reason or "resolved"
    elif move == "close":
        changes.update(closed_on=today, closed_by=by)
        reason = reason or "verified and closed"
    else:
        reason = records.require_reason(reason)
        changes.update(resolved_on=None, resolved_by=None)
    return records.update_record(
        item, changes=changes, by=by, reason=reason, expected_version=expected_version, action=move
    )


def _tell_owner(item: ActionItem, *, by: User | None) -> ActionItem:
    """Notify the item's (new) owner that it is theirs (notifications app)."""
    url = reverse("monitoring_action_item", kwargs={"action_item_id": item.pk})

    def title():  # drawn in the owner's language (notifications.services.notify)
        return gettext("Assigned to you: %(item)s at site %(site)s: %(description)s") % {
            "item": item,
            "site": item.study_site.site_number,
            "description": item.description[:80],
        }

    notify(
        [item.owner],
        "assigned",
        title,
        url,
        study=item.study,
        actor=by,
        subject_level=True,
    )
    return item
