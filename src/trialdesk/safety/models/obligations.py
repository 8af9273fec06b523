"""The reporting obligations adverse events create, their deliveries to each site or committee, the
reports and acknowledgements attached to them, and people's private calendar feeds of them."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.safety.models.events import AdverseEvent, AdverseEventQuerySet
from trialdesk.safety.rules import rulebook, statuses


class ObligationStatus(models.TextChoices):
    OPEN = statuses.OPEN, "Open"
    MET = statuses.MET, "Met"
    MISSED = statuses.MISSED, "Missed"
    NOT_REQUIRED = statuses.NOT_REQUIRED, "Not required"


class ReportingObligationQuerySet(AdverseEventQuerySet):
    """Obligations are seen by those who see the event's participant (DSUR ones: the whole study)."""


class ReportingObligation(RegulatedRecord):
    """A report an adverse event (or the study's annual cycle, for the DSUR) requires: to whom, under which
    rule, the clock and its due time, and once submitted the evidence (who, when, reference number).

    Status: open; met (reported by its due time); missed (reported late, or no longer required only after
    its due time had passed: kept, never retired); not required (no longer required before its due time).
    An open obligation past its due time reads as missed (`current_status`) without being rewritten."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="reporting_obligations")
    study_site = models.ForeignKey(
        "sites.StudySite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_obligations",
    )
    adverse_event = models.ForeignKey(
        AdverseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="obligations"
    )
    key = models.CharField(max_length=80, help_text="The rule's id, e.g. US-IND-15D.")
    recipient = models.CharField(max_length=200)
    jurisdiction = models.CharField(max_length=80)
    rule = models.CharField("rule (citation)", max_length=300)
    description = models.CharField(max_length=300, blank=True)
    reporting_party = models.CharField(max_length=16, choices=[("site", "Site"), ("sponsor", "Sponsor")])
    clock = models.CharField(max_length=16, choices=[(c, c) for c in rulebook.CLOCKS])
    length = models.PositiveIntegerField()
    starts_at = models.DateTimeField("clock starts")
    day_zero = models.DateTimeField(
        "day 0",
        null=True,
        blank=True,
        help_text="When the information that made the event reportable arrived.",
    )
    due_at = models.DateTimeField("due")
    due_on = models.DateField("due day (local)")
    time_zone = models.CharField(max_length=64, help_text="The reporting party's time zone.")
    status = models.CharField(max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    not_required_reason = models.TextField(
        "reason", blank=True, help_text="Why it is not required, or why it stays missed."
    )
    from_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The event version that set it."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference_number = models.CharField(max_length=100, blank=True)

    objects = ReportingObligationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event", "key"],
                condition=models.Q(adverse_event__isnull=False),
                name="unique_obligation_per_event_rule",
            ),
            models.UniqueConstraint(
                fields=["study", "key"],
                condition=models.Q(adverse_event__isnull=True),
                name="unique_study_obligation_per_rule",
            ),
        ]
        # The board counts open obligations by due time for the studies and sites a user sees: with the
        # study and site in the index, those counts never read the table itself.
        indexes = [
            models.Index(fields=["status", "due_at", "study", "study_site"], name="obligation_board_idx"),
            models.Index(fields=["study", "status", "due_at"], name="obligation_study_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.description or self.rule}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def standing(self, now) -> statuses.Standing:
        return statuses.obligation_standing(
            status=self.status, due_at=self.due_at, submitted_at=self.submitted_at, now=now, zone=self.zone
        )

    def current_status(self, now) -> str:
        return statuses.effective_status(
            status=self.status, due_at=self.due_at, submitted_at=self.submitted_at, now=now
        )

    @property
    def rule_verified(self) -> bool:
        """Whether the rule's primary source was read (rulebook.rule_verified): else shown as unverified."""
        return rulebook.rule_verified(self.key)

    def clean(self) -> None:
        if self.status == ObligationStatus.MET and not self.submitted_at:
            raise ValidationError({"submitted_at": gettext("Say when the report was submitted.")})
        if self.status == ObligationStatus.NOT_REQUIRED and not self.not_required_reason.strip():
            raise ValidationError({"not_required_reason": gettext("Say why the report is not required.")})


class ObligationDeliveryQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            scope_filter(
                user, study_path="obligation__study", site_path="obligation__study_site", subject_level=True
            )
        )


class ObligationDelivery(RegulatedRecord):
    """One copy of an expedited report sent to every investigator or committee: to which site or
    committee, when it was sent, and when (and under which reference) its receipt was acknowledged."""

    obligation = models.ForeignKey(ReportingObligation, on_delete=models.PROTECT, related_name="deliveries")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="safety_deliveries"
    )
    committee = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_reference = models.CharField(max_length=100, blank=True)

    objects = ObligationDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["obligation", "study_site__site_number", "committee", "id"]
        verbose_name_plural = "obligation deliveries"

    def __str__(self) -> str:
        return f"{self.obligation.key} to {self.recipient_label}"

    @property
    def recipient_label(self) -> str:
        return f"site {self.study_site.site_number}" if self.study_site_id else self.committee

    def audit_study_id(self) -> int:
        return self.obligation.study_id

    def audit_study_site_id(self) -> int | None:
        return self.obligation.study_site_id

    def clean(self) -> None:
        if self.acknowledged_at and not self.sent_at:
            raise ValidationError(
                {"acknowledged_at": gettext("A report is acknowledged only once it was sent.")}
            )
        if self.acknowledged_at and self.sent_at and self.acknowledged_at < self.sent_at:
            raise ValidationError(
                {"acknowledged_at": gettext("The acknowledgement cannot come before the report was sent.")}
            )


class AttachmentKind(models.TextChoices):
    REPORT = "report", "Submitted report (PDF or XML)"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"


class ObligationAttachment(RegulatedRecord):
    """A file kept with an obligation: the report as submitted, or the recipient's acknowledgement. Stored
    by SHA-256 under the data directory; the checksum is checked whenever it is read."""

    obligation = models.ForeignKey(ReportingObligation, on_delete=models.PROTECT, related_name="attachments")
    kind = models.CharField(max_length=20, choices=AttachmentKind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)

    objects = ObligationDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["obligation", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    def audit_study_id(self) -> int:
        return self.obligation.study_id

    def audit_study_site_id(self) -> int | None:
        return self.obligation.study_site_id


class CalendarFeed(models.Model):
    """A person's private iCalendar feed URL: only its token's SHA-256 is stored; it can be revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed {self.prefix}… of {self.user}"
