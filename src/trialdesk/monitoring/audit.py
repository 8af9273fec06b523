"""What site staff read of monitoring on the audit trail: the sponsor's records (plans, set-ups, reports,
signatures, issues, risks, QTLs, signals) appear as events at their site, their values not shown."""

from collections.abc import Iterable, Iterator

from trialdesk.core.models import AuditEvent, User
from trialdesk.monitoring.permissions import may_read_sponsor_side

NOT_SHOWN = "not shown"
SPONSOR_SIDE_TYPES = frozenset(
    f"monitoring.{name}"
    for name in (
        "monitoringplan",
        "tierrule",
        "sitemonitoring",
        "visitreport",
        "reportsignature",
        "issue",
        "risk",
        "qualitytolerancelimit",
        "signal",
    )
)


def mask_sponsor_side(events: Iterable[AuditEvent], user: User) -> Iterator[AuditEvent]:
    """The audit events, the values of the sponsor's monitoring records replaced by "not shown" where
    `user` may not read them; the stored events are untouched, so never save what this yields."""
    readable: dict[int, bool] = {}
    for event in events:
        if event.object_type in SPONSOR_SIDE_TYPES and event.changes:
            if event.study_id not in readable:
                readable[event.study_id] = may_read_sponsor_side(user, event.study_id)
            if not readable[event.study_id]:
                event.changes = {
                    field: [None if value is None else NOT_SHOWN for value in values]
                    for field, values in event.changes.items()
                }
        yield event
