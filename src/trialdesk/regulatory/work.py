""" "My work" from the regulatory app: for a CRM, the ethics approvals of their studies' sites that lapse
within oversight.APPROVAL_WORK_DAYS days (or have lapsed), so the continuing review is submitted in time."""

from django.urls import reverse

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.regulatory.rules import oversight
from trialdesk.regulatory.selectors import SiteApproval, approval_board_for_sites
from trialdesk.sites.models import StudySite
from trialdesk.sites.rules import OPEN_STATUSES
from trialdesk.studies.models import Study


def approvals_lapsing(user, today) -> list[WorkItem]:
    """Three queries whatever the number of studies: the open sites of the studies `user` manages as CRM
    (among those they may see), and those studies' approvals."""
    facts = role_facts(user)
    studies = [study_id for study_id, roles in facts.study_roles.items() if Role.CRM in roles]
    if not studies:
        return []
    # The study by one code lookup, not joined per site (a study object per site was most of the time).
    sites = (
        StudySite.objects.visible_to(user)
        .filter(study_id__in=studies, status__in=OPEN_STATUSES)
        .select_related("institution")
    )
    codes = dict(Study.objects.filter(pk__in=studies).values_list("pk", "code"))
    return [
        _item(row, codes[row.site.study_id])
        for row in approval_board_for_sites(list(sites))
        if row.approval is not None
        and row.days_left is not None
        and row.days_left <= oversight.APPROVAL_WORK_DAYS
    ]


def _item(row: SiteApproval, study_code: str) -> WorkItem:
    site = row.site
    lapsed = row.days_left < 0
    return WorkItem(
        kind="ethics_approvals",
        title=(
            f"Ethics approval at site {site.site_number} ({site.institution.name}) "
            f"{'lapsed after' if lapsed else 'runs until'} {row.approval.valid_until.isoformat()}: "
            f"{row.countdown}"
        ),
        due_on=row.approval.valid_until,
        url=reverse("submission_create", kwargs={"study_id": site.study_id}),
        study_code=study_code,
        overdue=lapsed,
    )


APPROVALS = WorkSource("ethics_approvals", "Ethics approvals to renew", approvals_lapsing, order=30)
