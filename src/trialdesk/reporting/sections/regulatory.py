"""Regulatory status: each visible site's ethics approval in force and its countdown (the Regulatory
tab's approval board)."""

from django.utils.translation import gettext

from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.regulatory.selectors import approval_board


def study_block(user, study, today) -> ReportBlock | None:
    board = approval_board(user, study)
    if not board:
        return ReportBlock(summary=gettext("No sites yet."))
    rows = tuple(
        (
            row.site.site_number,
            row.site.institution.name,
            row.approval.valid_until.isoformat() if row.approval and row.approval.valid_until else "",
            row.countdown,
            row.block or "",
        )
        for row in board
    )
    in_force = sum(row.approval is not None and row.block is None for row in board)
    return ReportBlock(
        summary=gettext(
            "Ethics approval in force at %(in_force)s of %(sites)s sites (each on its local day)."
        )
        % {"in_force": in_force, "sites": len(board)},
        tables=(
            ReportTable(
                ("Site", "Institution", "Approval valid until", "Countdown", "Enrollment blocked"), rows
            ),
        ),
    )
