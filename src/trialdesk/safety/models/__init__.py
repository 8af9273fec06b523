"""Adverse events and their follow-up versions, the reporting obligations they create, and per-study safety
settings: sponsor time zone, product type, reference safety information and committee reporting policies."""

from trialdesk.safety.models.events import (
    SERIOUSNESS_LABELS,
    ActionTaken,
    AdverseEvent,
    AdverseEventQuerySet,
    AdverseEventVersion,
    AdverseEventVersionQuerySet,
    Causality,
    EventOutcome,
)
from trialdesk.safety.models.obligations import (
    AttachmentKind,
    CalendarFeed,
    ObligationAttachment,
    ObligationDelivery,
    ObligationStatus,
    ReportingObligation,
    ReportingObligationQuerySet,
)
from trialdesk.safety.models.study_settings import (
    CommitteePolicyQuerySet,
    CommitteeReportingPolicy,
    ProductType,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
    ReferenceSafetyInformationQuerySet,
    StudySafetySettings,
    StudySafetySettingsQuerySet,
)

__all__ = [
    "ActionTaken",
    "AttachmentKind",
    "ObligationAttachment",
    "ObligationDelivery",
    "ProtocolReportingExemption",
    "AdverseEvent",
    "AdverseEventQuerySet",
    "AdverseEventVersion",
    "AdverseEventVersionQuerySet",
    "CalendarFeed",
    "Causality",
    "CommitteePolicyQuerySet",
    "CommitteeReportingPolicy",
    "EventOutcome",
    "ObligationStatus",
    "ProductType",
    "ReferenceSafetyInformation",
    "ReferenceSafetyInformationQuerySet",
    "ReportingObligation",
    "ReportingObligationQuerySet",
    "SERIOUSNESS_LABELS",
    "StudySafetySettings",
    "StudySafetySettingsQuerySet",
]
