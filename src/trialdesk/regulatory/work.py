""" "My work" from the regulatory app: for a CRM, the ethics approvals of their studies' sites that lapse
within oversight.APPROVAL_WORK_DAYS days (or have lapsed), so the continuing review is submitted in time."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.regulatory.rules import oversight
from trialdesk.regulatory.selectors import SiteApproval, approval_board_for_sites
from trialdesk.regulatory.selectors.approvals import sites_with_approvals_ending
from trialdesk.sites.models import StudySite
from trialdesk.sites.rules import OPEN_STATUSES
from trialdesk.studies.models import Study


def approvals_lapsing(user, today) -> list[WorkItem]:
    """At most four queries whatever the number of studies: the approvals of the studies `user` manages
    as CRM, the open sites (among those they may see) that an approval ending within the work window
    covers, their studies' codes and approvals. Reading every open site of a portfolio for its approval
    was most of the home page's time (benchmarks/bench_home.py)."""
    facts = role_facts(user)
    studies = [study_id for study_id, roles in facts.study_roles.items() if Role.CRM in roles]
    if not studies:
        return []
    # A site's own day may be up to two calendar days after the person's (UTC-12 against UTC+14).
    by = today + dt.timedelta(days=oversight.APPROVAL_WORK_DAYS + 2)
    ending = sites_with_approvals_ending(studies, by=by)
    if ending is None:
        return []
    # The study by one code lookup, not joined per site (a study object per site was most of the time).
    sites = (
        StudySite.objects.visible_to(user)
        .filter(ending, study_id__in=studies, status__in=OPEN_STATUSES)
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
            gettext("Ethics approval at site %(number)s (%(institution)s) lapsed after %(on)s: %(countdown)s")
            if lapsed
            else gettext(
                "Ethics approval at site %(number)s (%(institution)s) runs until %(on)s: %(countdown)s"
            )
        )
        % {
            "number": site.site_number,
            "institution": site.institution.name,
            "on": row.approval.valid_until.isoformat(),
            "countdown": row.countdown,
        },
        due_on=row.approval.valid_until,
        url=reverse("submission_create", kwargs={"study_id": site.study_id}),
        study_code=study_code,
        overdue=lapsed,
    )


APPROVALS = WorkSource("ethics_approvals", "Ethics approvals to renew", approvals_lapsing, order=30)
