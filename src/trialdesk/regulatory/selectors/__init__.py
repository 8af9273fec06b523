"""Reads of the regulatory app (approvals in force, enrollment blocks, activation and amendment checklists).

`enrollment_block(study_site, on)` and `consent_version_block(study_site, consent_version, on)` are the
reads the subjects app calls before enrolling and before approving a consent version at a site.
"""

from trialdesk.regulatory.selectors.amendments import (
    UNAPPROVED_VISIT_MARK,
    AmendmentOverview,
    SiteAmendmentStatus,
    UnapprovedVisit,
    affected_sites,
    amendment_ethics_approved_on,
    amendment_status,
    amendment_status_report,
    amendments_overview,
    consent_version_block,
    reconsent_pending,
    visits_before_approval,
)
from trialdesk.regulatory.selectors.approvals import (
    SiteApproval,
    _covering,
    _covers,
    activation_checklist,
    activation_checklists,
    approval_board,
    approval_board_for_sites,
    authorities,
    committees_for,
    enrollment_block,
    ethics_approvals_at,
    implementations_for,
    sites_with_participants_visible,
    submissions_for,
)

__all__ = [
    "UNAPPROVED_VISIT_MARK",
    "AmendmentOverview",
    "SiteAmendmentStatus",
    "SiteApproval",
    "UnapprovedVisit",
    "_covering",
    "_covers",
    "activation_checklist",
    "activation_checklists",
    "affected_sites",
    "amendment_ethics_approved_on",
    "amendment_status",
    "amendment_status_report",
    "amendments_overview",
    "approval_board",
    "approval_board_for_sites",
    "authorities",
    "committees_for",
    "consent_version_block",
    "enrollment_block",
    "ethics_approvals_at",
    "implementations_for",
    "reconsent_pending",
    "sites_with_participants_visible",
    "submissions_for",
    "visits_before_approval",
]
