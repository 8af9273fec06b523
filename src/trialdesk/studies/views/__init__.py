"""Pages of the studies app: the portfolio, the study page, and the study's setup records."""

from trialdesk.studies.views.setup import (
    arm_create,
    arm_edit,
    milestone_create,
    milestone_edit,
    protocol_version_create,
    protocol_version_edit,
    protocol_version_status,
)
from trialdesk.studies.views.study import (
    portfolio,
    study_audit_export,
    study_create,
    study_detail,
    study_edit,
)

__all__ = [
    "arm_create",
    "arm_edit",
    "milestone_create",
    "milestone_edit",
    "portfolio",
    "protocol_version_create",
    "protocol_version_edit",
    "protocol_version_status",
    "study_audit_export",
    "study_create",
    "study_detail",
    "study_edit",
]
