"""The compliance dimension's ethics approvals: lapsed or lapsing approvals at the study's active sites
(regulatory.rules.oversight.approvals_health), from the Regulatory tab's approval board, linking to that
tab."""

from trialdesk.core.extensions import HealthReading, HealthSignal
from trialdesk.regulatory.rules import oversight
from trialdesk.regulatory.selectors import approval_board, approval_board_for_sites
from trialdesk.sites.rules import ACTIVE_STATUSES
from trialdesk.studies.pages import tab_url


def read_approvals(user, study, today) -> HealthReading:
    """Two queries (the sites the reader sees, the study's approvals); each site is judged on its own
    local day, as on the Regulatory tab."""
    return _read(approval_board(user, study), tab_url(study, "regulatory"))


def read_site_approvals(user, study_site, today) -> HealthReading:
    """The site's own ethics approval (the site page has already checked that the reader sees the site)."""
    return _read(approval_board_for_sites([study_site]), tab_url(study_site.study_id, "regulatory"))


def _read(board, url) -> HealthReading:
    standings = [
        oversight.ApprovalStanding(
            site_number=row.site.site_number,
            recorded=row.approval is not None or row.block is not None,
            in_force=row.approval is not None and row.block is None,
            days_left=row.days_left,
        )
        for row in board
        if row.site.status in ACTIVE_STATUSES
    ]
    colour, why = oversight.approvals_health(standings)
    return HealthReading("compliance", colour, why, url)


APPROVALS = HealthSignal(
    "ethics_approvals", "Ethics approvals", read_approvals, order=50, read_site=read_site_approvals
)
