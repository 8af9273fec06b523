""" "My work" from the safety app: the open reporting obligations a person must submit, due within the
obligations board's horizon (windows.board_horizon: overdue, the next 24 hours, this week).

A person is responsible for an obligation when it is theirs to submit as a reporting party: the study's
CRM and safety officer submit the sponsor's reports (to authorities, ethics committees, investigators);
a site's coordinators and investigators submit that site's reports to the sponsor. Others may see the
same obligations on the board, but they are not their work.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import role_facts
from trialdesk.safety.models import ObligationStatus, ReportingObligation
from trialdesk.safety.rules import reportable, windows

SPONSOR_REPORTERS = frozenset({Role.CRM, Role.SAFETY})


def responsible_for(user) -> Q:
    """The obligations `user` submits: the sponsor's at their studies (as CRM or safety officer), the
    site's at their sites (as coordinator or investigator)."""
    facts = role_facts(user)
    studies = [study_id for study_id, roles in facts.study_roles.items() if roles & SPONSOR_REPORTERS]
    sites = [site_id for site_id, roles in facts.site_roles.items() if roles & SITE_STAFF_ROLES]
    return Q(reporting_party="sponsor", study_id__in=studies) | Q(
        reporting_party="site", study_site_id__in=sites
    )


def obligations_due(user, today) -> list[WorkItem]:
    """One query: the person's open obligations due before the board's horizon, soonest first."""
    now = timezone.now()
    rows = (
        ReportingObligation.objects.visible_to(user)
        .filter(responsible_for(user), status=ObligationStatus.OPEN, due_at__lt=windows.board_horizon(now))
        .select_related("study", "study_site", "adverse_event")
        .order_by("due_at", "id")
    )
    return [_item(obligation, now) for obligation in rows]


def _item(obligation: ReportingObligation, now) -> WorkItem:
    due = obligation.due_at.astimezone(reportable.zone_of(obligation.time_zone))
    about = [obligation.adverse_event.number] if obligation.adverse_event_id else []
    if obligation.study_site_id:
        about.append(gettext("site %(number)s") % {"number": obligation.study_site.site_number})
    what = obligation.description or obligation.rule
    return WorkItem(
        kind="reporting_obligations",
        title=(
            gettext("Report to %(recipient)s: %(what)s") % {"recipient": obligation.recipient, "what": what}
            + (f" ({', '.join(about)})" if about else "")
            + ", "
            + gettext("due %(when)s %(zone)s")
            % {"when": f"{due:%Y-%m-%d %H:%M}", "zone": obligation.time_zone}
        ),
        due_on=obligation.due_on,
        url=reverse("obligation_submit", kwargs={"obligation_id": obligation.pk}),
        study_code=obligation.study.code,
        overdue=obligation.due_at < now,
    )


OBLIGATIONS = WorkSource(
    "reporting_obligations", "Reporting obligations to submit", obligations_due, order=10
)
