"""Who may change what in monitoring (reads are governed by scoping; these answer 403 when not).

| who                          | may                                                                       |
|------------------------------|---------------------------------------------------------------------------|
| the study's CRM (and admins) | everything: the plan, site set-ups, risks, QTLs, approve/return reports   |
| a site's monitor (CRA)       | the site's visits, reports, findings, action items, issues; its signals   |
| a site's staff (CRC, PI)     | resolve the site's action items; work the issues they own                 |
| auditors, sponsor viewers    | nothing (read only)                                                       |
"""

from django.utils.translation import gettext_lazy

from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, can_work_at_site, can_work_at_some_site
from trialdesk.core.roles import SITE_STAFF_ROLES, Role
from trialdesk.core.scoping import is_administrator, role_facts

ONLY_CRM = gettext_lazy(
    "Only the study's CRM changes the monitoring plan, site set-ups, risks and quality tolerance limits."
)
ONLY_SITE_CRA = gettext_lazy("Only the site's CRA (a monitor of the site) or the study's CRM does this.")
ONLY_REVIEWER = gettext_lazy("Only the study's CRM reviews a visit report.")
MONITORS = frozenset({Role.MONITOR})


def may_read_sponsor_side(user: User, study_id: int) -> bool:
    """The study's team (study-level roles) and its monitors read the sponsor's side of monitoring (the
    plan, reports, issues, risks, QTLs, signals); site staff see their site's visits and action items."""
    if is_administrator(user):
        return True
    facts = role_facts(user)
    return bool(facts.roles_on_study(study_id)) or facts.holds_site_role_in_study(study_id, MONITORS)


def can_manage_monitoring(user: User, study_id: int) -> bool:
    return can_manage_study(user, study_id)


def can_monitor_site(user: User, study_site) -> bool:
    """The site's monitors (CRAs) and the study's CRM."""
    return can_work_at_site(user, study_id=study_site.study_id, study_site_id=study_site.pk, roles=MONITORS)


def can_monitor_some_site(user: User, study_id: int) -> bool:
    """Asked before an API write names its site, so a read-only role hears 403 before input problems."""
    return can_work_at_some_site(user, study_id, MONITORS)


def can_work_on_action_item(user: User, item) -> bool:
    """Resolving: the owner, the site's staff, its CRA or the CRM."""
    if item.owner_id == user.pk:
        return True
    return can_work_at_site(
        user, study_id=item.study_id, study_site_id=item.study_site_id, roles=SITE_STAFF_ROLES | MONITORS
    )


def can_work_on_issue(user: User, issue) -> bool:
    """An issue's owner works it; so do the CRM and (for a site's issue) the site's CRA."""
    if issue.owner_id == user.pk or can_manage_study(user, issue.study_id):
        return True
    return bool(issue.study_site_id) and Role.MONITOR in role_facts(user).roles_on_site(issue.study_site_id)


def can_raise_issues(user: User, study_id: int) -> bool:
    return can_monitor_some_site(user, study_id)
