""" "My work" and the obligations board from the incidents app: the open notifications a person must make.

The sponsor's notifications (to supervisory authorities, member states, HHS, individuals) are made by the
study's CRM and safety officer (`safety.work.SPONSOR_REPORTERS`): they are their work. Others who may see
them find them on the board, not in their "my work".
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trialdesk.core.extensions import Panel, WorkItem, WorkSource
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.incidents import selectors
from trialdesk.incidents.models import IncidentObligation
from trialdesk.incidents.permissions import can_manage_incidents
from trialdesk.safety.rules import windows
from trialdesk.safety.work import SPONSOR_REPORTERS


def _responsible_studies(user) -> list[int]:
    facts = role_facts(user)
    return [study_id for study_id, roles in facts.study_roles.items() if roles & SPONSOR_REPORTERS]


def notifications_due(user, today) -> list[WorkItem]:
    """One query: the person's open notifications due before the board's horizon, soonest first."""
    now = timezone.now()
    rows = selectors.open_obligations_due(user, now).filter(study_id__in=_responsible_studies(user))
    return [_item(obligation, now) for obligation in rows]


def due_label(obligation: IncidentObligation) -> str:
    """When it is due, in the reporting party's zone, labelled with the zone."""
    if obligation.without_undue_delay:
        return _("without undue delay")
    due = f"{obligation.due_at.astimezone(obligation.zone):%Y-%m-%d %H:%M}"
    return _("due %(due)s %(zone)s") % {"due": due, "zone": obligation.time_zone}


def _item(obligation: IncidentObligation, now) -> WorkItem:
    return WorkItem(
        kind="incident_notifications",
        title=_("Notify %(recipient)s of %(number)s (%(rule)s), %(due)s")
        % {
            "recipient": obligation.recipient,
            "number": obligation.incident.number,
            "rule": obligation.rule,
            "due": due_label(obligation),
        },
        due_on=obligation.due_on,
        url=reverse("incident_obligation_met", kwargs={"incident_obligation_id": obligation.pk}),
        study_code=obligation.study.code,
        overdue=obligation.due_at < now and not obligation.without_undue_delay,
    )


NOTIFICATIONS = WorkSource(
    "incident_notifications", "Incident notifications to make", notifications_due, order=15
)


# The obligations board ------------------------------------------------------------------------------------

BOARD_ROWS = 200


def board_panel(request) -> dict | None:
    """The board's block of incident notifications: open ones by window (overdue, next 24 hours, this
    week), those without a fixed period apart; None when the reader has none to see."""
    now = timezone.now()
    rows = list(selectors.open_obligations_due(request.user, now)[:BOARD_ROWS])
    if not rows:
        return None
    undue = [o for o in rows if o.without_undue_delay]
    sections = {window: [] for window in windows.Window}
    for obligation in rows:
        if not obligation.without_undue_delay:
            sections[windows.window_of(obligation.due_at, now=now)].append(obligation)
    may_mark = {study_id for study_id in {o.study_id for o in rows} if _may_mark(request.user, study_id)}
    for obligation in rows:
        obligation.local_due = due_label(obligation)
        obligation.may_mark = obligation.study_id in may_mark
    return {
        "incident_sections": [
            ("Overdue", sections[windows.Window.OVERDUE]),
            ("Due in the next 24 hours", sections[windows.Window.NEXT_24H]),
            ("Due later this week", sections[windows.Window.THIS_WEEK]),
            ("Without undue delay (no fixed period)", undue),
        ],
        "incident_rows_shown": len(rows),
        "incident_rows_limit": BOARD_ROWS,
    }


def _may_mark(user, study_id: int) -> bool:
    return is_administrator(user) or can_manage_incidents(user, study_id)


BOARD_PANEL = Panel("incidents", "incidents/panels/board.html", board_panel, order=10)
