"""Incidents (personal data breaches, serious breaches of the protocol or GCP) and the notifications each
requires, with their clocks and, once made, the evidence (who, when, reference)."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.incidents import rules
from trialdesk.safety.rules import statuses


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The study's incidents to those on the study; a site's to that site's staff. Incidents may
        describe participants, so they are subject-level: sponsor viewers see none."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))


class Incident(RegulatedRecord):
    """A personal data breach or a serious breach of the protocol or GCP, as the sponsor became aware of
    it: the facts its notification clocks run on (`rules.IncidentFacts`)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="incidents")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    number = models.CharField(max_length=20, help_text="The study's reference, e.g. INC-003.")
    kind = models.CharField(max_length=32, choices=list(rules.KIND_LABELS.items()))
    title = models.CharField(max_length=200, help_text="A short name, e.g. 'Laptop with screening log lost'.")
    description = models.TextField(help_text="What happened, what data or which protocol requirement.")
    aware_at = models.DateTimeField(
        "aware at", help_text="When the sponsor (controller) became aware of it: the clocks start here."
    )
    jurisdictions = models.JSONField(default=list, help_text=f"Any of {', '.join(rules.JURISDICTIONS)}.")
    sponsor_timezone = models.CharField(
        "sponsor time zone", max_length=64, help_text="The reporting party's IANA zone, e.g. Europe/Berlin."
    )
    affected_individuals = models.PositiveIntegerField(default=0)
    residents_by_state = models.JSONField(
        null=True,
        blank=True,
        help_text='Affected residents by US State, e.g. {"CA": 620} (HIPAA media notice).',
    )
    risk_to_individuals = models.CharField(
        max_length=16,
        choices=list(rules.RISK_LABELS.items()),
        default="risk",
        help_text="GDPR art. 33: none when unlikely to be a risk; art. 34: individuals told when high.",
    )
    hipaa_role = models.CharField(
        "HIPAA role", max_length=24, choices=list(rules.HIPAA_ROLE_LABELS.items()), default="covered_entity"
    )
    measures = models.TextField("measures taken or proposed", blank=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-aware_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_incident_number")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.sponsor_timezone)

    def facts(self, submitted=()) -> rules.IncidentFacts:
        return rules.IncidentFacts(
            kind=self.kind,
            jurisdictions=tuple(self.jurisdictions),
            aware_at=self.aware_at,
            sponsor_timezone=self.sponsor_timezone,
            affected_individuals=self.affected_individuals,
            risk_to_individuals=self.risk_to_individuals,
            hipaa_role=self.hipaa_role,
            residents_by_state=(
                None if self.residents_by_state is None else tuple(sorted(self.residents_by_state.items()))
            ),
            submitted=tuple(submitted),
        )

    def clean(self) -> None:
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            raise ValidationError({"study_site": "The site is not a site of this study."})


class ObligationStatus(models.TextChoices):
    OPEN = statuses.OPEN, "Open"
    MET = statuses.MET, "Met"
    MISSED = statuses.MISSED, "Missed"
    NOT_REQUIRED = statuses.NOT_REQUIRED, "Not required"


class IncidentObligation(RegulatedRecord):
    """A notification an incident requires: to whom, under which rule, its clock and due time in the
    reporting party's zone, and once made who made it, when, and the recipient's reference."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="obligations")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="incident_obligations")
    study_site = models.ForeignKey(
        "sites.StudySite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incident_obligations",
    )
    key = models.CharField(max_length=80, help_text="The rule's id, e.g. EU-GDPR-33.")
    recipient = models.CharField(max_length=200)
    jurisdiction = models.CharField(max_length=16)
    rule = models.CharField("rule (citation)", max_length=300)
    description = models.CharField(max_length=400, blank=True)
    reporting_party = models.CharField(max_length=32)
    clock = models.CharField(max_length=24, choices=[(c, c) for c in rules.CLOCKS])
    length = models.PositiveIntegerField()
    starts_at = models.DateTimeField("clock starts")
    due_at = models.DateTimeField("due")
    due_on = models.DateField("due day (local)")
    time_zone = models.CharField(max_length=64, help_text="The reporting party's time zone.")
    status = models.CharField(max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    not_required_reason = models.TextField("reason", blank=True)
    submitted_at = models.DateTimeField("made at", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference_number = models.CharField(max_length=100, blank=True)

    objects = IncidentQuerySet.as_manager()  # the same study and study_site paths

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "key"], name="unique_incident_obligation_per_rule")
        ]
        indexes = [models.Index(fields=["status", "due_at", "study"], name="incident_obligation_board_idx")]

    def __str__(self) -> str:
        return f"{self.recipient}: {self.rule}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def without_undue_delay(self) -> bool:
        return self.clock == rules.WITHOUT_UNDUE_DELAY

    @property
    def rule_verified(self) -> bool:
        return rules.rule_verified(self.key)

    def current_status(self, now) -> str:
        """As stored, but an open one past its due time reads missed (never one without a fixed period)."""
        if self.status != ObligationStatus.OPEN:
            return self.status
        return rules.status_of(clock=self.clock, due_at=self.due_at, submitted_at=self.submitted_at, now=now)

    def clean(self) -> None:
        if self.status == ObligationStatus.MET and not self.submitted_at:
            raise ValidationError({"submitted_at": "Say when the notification was made."})
        if self.status == ObligationStatus.NOT_REQUIRED and not self.not_required_reason.strip():
            raise ValidationError({"not_required_reason": "Say why the notification is not required."})
