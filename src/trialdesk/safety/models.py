"""Adverse events and their follow-up versions, the reporting obligations they create, and per-study safety
settings: sponsor time zone, product type, reference safety information and committee reporting policies."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.safety import ctcae, rules


class ProductType(models.TextChoices):
    DRUG = "drug", "Drug"
    BIOLOGIC = "biologic", "Biologic"
    DEVICE = "device", "Device"


class Causality(models.TextChoices):
    RELATED = "related", "Related"
    NOT_RELATED = "not_related", "Not related"
    DEFINITELY = "definitely", "Definitely related"
    PROBABLY = "probably", "Probably related"
    POSSIBLY = "possibly", "Possibly related"
    UNLIKELY = "unlikely", "Unlikely related"
    UNRELATED = "unrelated", "Unrelated"


class ActionTaken(models.TextChoices):
    DOSE_NOT_CHANGED = "dose_not_changed", "Dose not changed"
    DOSE_REDUCED = "dose_reduced", "Dose reduced"
    DOSE_INCREASED = "dose_increased", "Dose increased"
    INTERRUPTED = "interrupted", "Drug interrupted"
    WITHDRAWN = "withdrawn", "Drug withdrawn"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    UNKNOWN = "unknown", "Unknown"


class EventOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered / resolved"
    RECOVERING = "recovering", "Recovering / resolving"
    NOT_RECOVERED = "not_recovered", "Not recovered / not resolved"
    SEQUELAE = "sequelae", "Recovered with sequelae"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


SERIOUSNESS_LABELS = {
    "death": "Death",
    "life_threatening": "Life-threatening",
    "hospitalization": "Hospitalization (initial or prolonged)",
    "disability": "Persistent or significant disability",
    "congenital_anomaly": "Congenital anomaly",
    "other_medically_important": "Other medically important",
}


class StudySafetySettingsQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class StudySafetySettings(RegulatedRecord):
    """How a study reports safety: the sponsor's time zone, product type, site → sponsor limit, the
    jurisdictions beyond its sites' countries (e.g. an IND with no US site), and the DSUR birth date."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="safety_settings")
    sponsor_time_zone = models.CharField("sponsor time zone (IANA)", max_length=64, default="UTC")
    product_type = models.CharField(max_length=16, choices=ProductType.choices, default=ProductType.DRUG)
    site_to_sponsor_hours = models.PositiveSmallIntegerField(
        "site → sponsor limit (hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="The protocol's limit for reporting a serious event to the sponsor.",
    )
    extra_jurisdictions = models.JSONField(
        default=list, blank=True, help_text="Jurisdictions reported to beyond the sites' countries."
    )
    development_birth_date = models.DateField(
        "development international birth date",
        null=True,
        blank=True,
        help_text="First authorisation of a trial with the product anywhere; DSURs follow its anniversary.",
    )

    objects = StudySafetySettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "study safety settings"

    def __str__(self) -> str:
        return f"Safety settings of {self.study}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.sponsor_time_zone)

    def clean(self) -> None:
        errors = {}
        if problem := rules.time_zone_problem(self.sponsor_time_zone):
            errors["sponsor_time_zone"] = problem
        if not isinstance(self.extra_jurisdictions, list):
            errors["extra_jurisdictions"] = "Give a list of jurisdiction codes."
        else:
            unknown = [c for c in self.extra_jurisdictions if c not in rules.JURISDICTIONS]
            if unknown:
                errors["extra_jurisdictions"] = (
                    f"Unknown jurisdiction {unknown[0]!r}; use {', '.join(rules.JURISDICTIONS)}."
                )
        if errors:
            raise ValidationError(errors)


class ReferenceSafetyInformationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class ReferenceSafetyInformation(RegulatedRecord):
    """A version of the study's reference safety information (investigator's brochure section or SmPC)
    against which the expectedness of an adverse reaction is judged."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="safety_references")
    label = models.CharField("version", max_length=40, help_text="e.g. IB v7.0 section 6.4")
    effective_on = models.DateField()
    note = models.TextField(blank=True)

    objects = ReferenceSafetyInformationQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "label"],
                name="unique_rsi_version_per_study",
                violation_error_message="This study already has this reference safety information version.",
            )
        ]

    def __str__(self) -> str:
        return self.label


class CommitteePolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class CommitteeReportingPolicy(RegulatedRecord):
    """An ethics committee's or IRB's reporting policy in a study (at one site, or at all of them):
    which events it wants reported, within how many calendar or working days of the site's awareness."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="committee_policies")
    study_site = models.ForeignKey(
        "sites.StudySite",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="committee_policies",
        help_text="Empty: the policy applies at every site of the study.",
    )
    name = models.CharField(max_length=60, help_text="Short name, used as the jurisdiction IRB:<name>.")
    committee = models.CharField(max_length=200)
    event_kind = models.CharField(
        max_length=32, choices=[(k, k.replace("_", " ").capitalize()) for k in rules.COMMITTEE_EVENT_KINDS]
    )
    clock = models.CharField(
        max_length=16, choices=[("calendar", "Calendar days"), ("working", "Working days")]
    )
    length = models.PositiveSmallIntegerField("days")
    holiday_calendar = models.CharField(
        max_length=16, help_text="Country (ISO code) whose public holidays working days skip."
    )
    citation = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    objects = CommitteePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["study", "name"]
        verbose_name_plural = "committee reporting policies"
        constraints = [
            models.UniqueConstraint(
                fields=["study", "name"],
                name="unique_committee_policy_name_per_study",
                violation_error_message="This study already has a committee policy of this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} ({self.name})"

    def clean(self) -> None:
        errors = rules.committee_policy_problems(
            name=self.name,
            event_kind=self.event_kind,
            clock=self.clock,
            length=self.length or 0,
            holiday_calendar=self.holiday_calendar,
        )
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        if errors:
            raise ValidationError(errors)

    def as_rule_policy(self) -> rules.CommitteePolicy:
        return rules.CommitteePolicy(
            name=self.name,
            committee=self.committee,
            event_kind=self.event_kind,
            clock=self.clock,
            length=self.length,
            holiday_calendar=self.holiday_calendar,
            citation=self.citation,
        )


class AdverseEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))


class AdverseEvent(RegulatedRecord):
    """An adverse event of a participant. Its facts live in versions (the initial report and each
    follow-up); the fields here repeat the latest version's, for lists, filters and line listings."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="adverse_events")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="adverse_events")
    participant = models.ForeignKey(
        "subjects.Participant", on_delete=models.PROTECT, related_name="adverse_events"
    )
    number = models.CharField(max_length=20, help_text="AE-0001, running per study.")
    latest_version = models.PositiveIntegerField(default=1)
    ctcae_term = models.CharField("CTCAE term", max_length=200)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    serious = models.BooleanField(default=False)
    fatal_or_life_threatening = models.BooleanField(default=False)
    related = models.BooleanField(null=True, blank=True)
    expected = models.BooleanField(null=True, blank=True)
    onset_on = models.DateField()
    site_aware_at = models.DateTimeField()

    objects = AdverseEventQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-onset_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                name="unique_adverse_event_number_per_study",
                violation_error_message="This study already has an adverse event with this number.",
            )
        ]
        indexes = [models.Index(fields=["study", "serious"]), models.Index(fields=["study", "onset_on"])]

    def __str__(self) -> str:
        return f"{self.number} {self.ctcae_term}"

    @property
    def is_susar(self) -> bool:
        """Serious, unexpected and related (an unassessed expectedness counts as unexpected)."""
        return self.serious and self.related is True and self.expected is not True


class AdverseEventVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            scope_filter(
                user,
                study_path="adverse_event__study",
                site_path="adverse_event__study_site",
                subject_level=True,
            )
        )


class AdverseEventVersion(RegulatedRecord):
    """The facts of an adverse event as reported at one time: version 1 is the initial report, each
    follow-up a new version. Versions are never changed; a correction is a further version."""

    adverse_event = models.ForeignKey(AdverseEvent, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    verbatim_term = models.CharField(max_length=300, help_text="The event in the investigator's words.")
    ctcae_term = models.CharField("CTCAE term", max_length=200)
    meddra_code = models.CharField("MedDRA code", max_length=12, blank=True, editable=False)
    grade = models.PositiveSmallIntegerField(help_text="CTCAE grade 1–5.")
    onset_on = models.DateField("onset date")
    resolved_on = models.DateField("resolution date", null=True, blank=True)
    seriousness = models.JSONField(default=list, blank=True, help_text="Seriousness criteria met.")
    causality = models.CharField(max_length=16, choices=Causality.choices, blank=True)
    expected = models.BooleanField(
        null=True, blank=True, help_text="Listed in the reference safety information (empty: not yet judged)."
    )
    reference_safety_information = models.ForeignKey(
        ReferenceSafetyInformation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unanticipated_device_effect = models.BooleanField(default=False)
    action_taken = models.CharField(max_length=20, choices=ActionTaken.choices, default=ActionTaken.UNKNOWN)
    outcome = models.CharField(max_length=16, choices=EventOutcome.choices, default=EventOutcome.UNKNOWN)
    site_aware_at = models.DateTimeField("site became aware")
    sponsor_aware_at = models.DateTimeField("sponsor became aware", null=True, blank=True)
    narrative = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = AdverseEventVersionQuerySet.as_manager()

    class Meta:
        ordering = ["adverse_event", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_event", "number"],
                name="unique_version_number_per_adverse_event",
                violation_error_message="This adverse event already has this version.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.adverse_event.number} version {self.number}"

    def audit_study_id(self) -> int:
        return self.adverse_event.study_id

    def audit_study_site_id(self) -> int:
        return self.adverse_event.study_site_id

    @property
    def serious(self) -> bool:
        return bool(self.seriousness)

    @property
    def related(self) -> bool | None:
        return rules.is_related(self.causality)

    def seriousness_labels(self) -> list[str]:
        return [SERIOUSNESS_LABELS.get(s, s) for s in self.seriousness or []]

    def grade_definition(self) -> str:
        term = ctcae.lookup(self.ctcae_term)
        return term.grade_definition(self.grade) if term else ""

    def _event(self) -> AdverseEvent | None:
        """The event, also while it is being created with this first version (not yet saved)."""
        try:
            return self.adverse_event
        except AdverseEvent.DoesNotExist:
            return None

    def clean_fields(self, exclude=None) -> None:
        self.verbatim_term = (self.verbatim_term or "").strip()
        self.ctcae_term = (self.ctcae_term or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        term = ctcae.lookup(self.ctcae_term)
        if term is None:
            errors["ctcae_term"] = ctcae.unknown_term_message(self.ctcae_term)
        else:
            self.ctcae_term, self.meddra_code = term.term, term.meddra_code
        if not isinstance(self.seriousness, list):
            errors["seriousness"] = "Give the seriousness criteria as a list."
        else:
            event = self._event()
            site = event.study_site if event else None
            errors.update(
                rules.adverse_event_problems(
                    grade=self.grade,
                    outcome=self.outcome,
                    seriousness=self.seriousness,
                    onset_on=self.onset_on,
                    resolved_on=self.resolved_on,
                    site_aware_at=self.site_aware_at,
                    sponsor_aware_at=self.sponsor_aware_at,
                    site_zone=ZoneInfo(site.institution.time_zone) if site else None,
                    defined_grades=term.grades if term else None,
                )
            )
        rsi = self.reference_safety_information
        event = self._event()
        if rsi and event and rsi.study_id != event.study_id:
            errors["reference_safety_information"] = "This reference safety information is of another study."
        if errors:
            raise ValidationError(errors)


class ObligationStatus(models.TextChoices):
    OPEN = rules.OPEN, "Open"
    SUBMITTED = rules.SUBMITTED, "Submitted"
    NOT_REQUIRED = rules.NOT_REQUIRED, "Not required"


class ReportingObligationQuerySet(AdverseEventQuerySet):
    """Obligations are seen by those who see the event's participant (DSUR ones: the whole study)."""


class ReportingObligation(RegulatedRecord):
    """A report an adverse event (or the study's annual cycle, for the DSUR) requires: to whom, under which
    rule, the clock and its due time, and once submitted the evidence (who, when, reference number).
    Late is not stored: it is worked out on read from the due time (rules.obligation_standing)."""

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
    clock = models.CharField(max_length=16, choices=[(c, c) for c in rules.CLOCKS])
    length = models.PositiveIntegerField()
    starts_at = models.DateTimeField("clock starts")
    due_at = models.DateTimeField("due")
    due_on = models.DateField("due day (local)")
    time_zone = models.CharField(max_length=64, help_text="The reporting party's time zone.")
    status = models.CharField(max_length=16, choices=ObligationStatus.choices, default=ObligationStatus.OPEN)
    not_required_reason = models.TextField(blank=True)
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

    def standing(self, now) -> rules.Standing:
        return rules.obligation_standing(
            status=self.status, due_at=self.due_at, submitted_at=self.submitted_at, now=now, zone=self.zone
        )

    def clean(self) -> None:
        if self.status == ObligationStatus.SUBMITTED and not self.submitted_at:
            raise ValidationError({"submitted_at": "Say when the report was submitted."})
        if self.status == ObligationStatus.NOT_REQUIRED and not self.not_required_reason.strip():
            raise ValidationError({"not_required_reason": "Say why the report is not required."})


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
