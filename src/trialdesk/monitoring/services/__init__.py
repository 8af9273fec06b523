"""Writes of the monitoring app: each a keyword-only function with an explicit actor `by=` (None for
the system: a scheduled command), permission checked first, written through core.records in one
transaction with its audit events."""

from trialdesk.monitoring.services.actions import move_action_item, raise_action_item, update_action_item
from trialdesk.monitoring.services.plans import create_plan, save_site_setup
from trialdesk.monitoring.services.quality import (
    create_qtl,
    create_risk,
    move_issue,
    raise_issue,
    record_qtl_breaches,
    update_issue,
    update_qtl,
    update_risk,
)
from trialdesk.monitoring.services.reports import (
    add_finding,
    add_source_review,
    approve_report,
    record_finding_deviation,
    remove_source_review,
    return_report,
    submit_report,
    update_finding,
    update_report,
)
from trialdesk.monitoring.services.signals import close_signal, open_signals, triage_signal
from trialdesk.monitoring.services.tiers import store_tier_flags
from trialdesk.monitoring.services.visits import move_visit, schedule_visit, update_visit

__all__ = [
    "add_finding",
    "add_source_review",
    "approve_report",
    "close_signal",
    "create_plan",
    "create_qtl",
    "create_risk",
    "move_action_item",
    "move_issue",
    "move_visit",
    "open_signals",
    "raise_action_item",
    "raise_issue",
    "record_finding_deviation",
    "record_qtl_breaches",
    "remove_source_review",
    "return_report",
    "save_site_setup",
    "schedule_visit",
    "store_tier_flags",
    "submit_report",
    "triage_signal",
    "update_action_item",
    "update_finding",
    "update_issue",
    "update_qtl",
    "update_report",
    "update_risk",
    "update_visit",
]
