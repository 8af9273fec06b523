"""Programs, studies and each study's protocol versions, arms and milestones."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.studies import rules


class Phase(models.TextChoices):
    I = "I", "Phase I"  # noqa: E741 - the phase's own name
    I_II = "I-II", "Phase I/II"
    II = "II", "Phase II"
    II_III = "II-III", "Phase II/III"
    III = "III", "Phase III"
    IV = "IV", "Phase IV"
    DEVICE = "device", "Device"
    OBSERVATIONAL = "observational", "Observational"


class StudyStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    START_UP = "start_up", "Start-up"
    RECRUITING = "recruiting", "Recruiting"
    ACTIVE_NOT_RECRUITING = "active_not_recruiting", "Active, not recruiting"
    SUSPENDED = "suspended", "Suspended"
    COMPLETED = "completed", "Completed"
    TERMINATED = "terminated", "Terminated"
    WITHDRAWN = "withdrawn", "Withdrawn"


class StudyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="pk"))


class StudyChildQuerySet(models.QuerySet):
    """Records that belong to a study as a whole (protocol versions, arms)."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class Program(RegulatedRecord):
    """A development program grouping the studies of one product or indication."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def audit_study_id(self) -> None:
        return None


class Study(RegulatedRecord):
    """A clinical study (trial) as the CRM runs it: protocol number, phase, sponsor, status, target."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, related_name="studies"
    )
    code = models.CharField("protocol number", max_length=40, unique=True)
    title = models.CharField(max_length=500)
    acronym = models.CharField(max_length=60, blank=True)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    therapeutic_area = models.CharField(max_length=80)
    sponsor = models.CharField(max_length=200)
    nct_number = models.CharField("NCT number", max_length=11, blank=True)
    status = models.CharField(max_length=32, choices=StudyStatus.choices, default=StudyStatus.PLANNED)
    planned_enrollment = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    blinded = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    # How the study's participants are numbered and enrolled, and how long they have to re-consent.
    participant_number_format = models.CharField(
        max_length=60,
        default=rules.DEFAULT_NUMBER_FORMAT,
        help_text="{site}: the site number, {seq}: a running number (e.g. {seq:03d}), {study}: the protocol.",
    )
    allow_over_enrollment = models.BooleanField(
        default=False, help_text="Enroll beyond the study's and sites' targets."
    )
    reconsent_window_days = models.PositiveSmallIntegerField(
        "re-consent window (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days participants have to re-consent on a newly approved consent version, "
        "unless their next scheduled visit comes first.",
    )

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "studies"
        constraints = [
            models.UniqueConstraint(
                fields=["nct_number"],
                condition=~models.Q(nct_number=""),
                name="unique_study_nct_number",
                violation_error_message="Another study already has this NCT number.",
            )
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["therapeutic_area"])]

    def __str__(self) -> str:
        return self.code

    def audit_study_id(self) -> int:
        return self.pk

    def clean_fields(self, exclude=None) -> None:
        # Normalise before the length and uniqueness checks see the values.
        self.code = (self.code or "").strip()
        self.nct_number = (self.nct_number or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if problem := rules.nct_number_problem(self.nct_number):
            errors["nct_number"] = problem
        if problem := rules.number_format_problem(self.participant_number_format):
            errors["participant_number_format"] = problem
        if errors:
            raise ValidationError(errors)


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    EFFECTIVE = "effective", "Effective"
    SUPERSEDED = "superseded", "Superseded"


class ProtocolVersion(RegulatedRecord):
    """One version of a study's protocol; versions after the first are amendments."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="protocol_versions")
    # Named `number` because every regulated record already has `version`, its optimistic-concurrency counter.
    number = models.CharField("version number", max_length=40, help_text="e.g. 1.0, 2.0 (Amendment 1)")
    version_date = models.DateField()
    status = models.CharField(max_length=16, choices=ProtocolStatus.choices, default=ProtocolStatus.DRAFT)
    amendment_number = models.PositiveIntegerField(null=True, blank=True)
    summary_of_changes = models.TextField(blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        ordering = ["study", "version_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                name="unique_protocol_version_per_study",
                violation_error_message="This study already has a protocol version with this number.",
            )
        ]

    def __str__(self) -> str:
        return f"Protocol v{self.number}"

    @property
    def is_amendment(self) -> bool:
        return self.amendment_number is not None


class ArmType(models.TextChoices):
    EXPERIMENTAL = "experimental", "Experimental"
    ACTIVE_COMPARATOR = "active_comparator", "Active comparator"
    PLACEBO_COMPARATOR = "placebo_comparator", "Placebo comparator"
    SHAM_COMPARATOR = "sham_comparator", "Sham comparator"
    NO_INTERVENTION = "no_intervention", "No intervention"
    OTHER = "other", "Other"


class Arm(RegulatedRecord):
    """A treatment arm (or cohort) of a study with its allocation ratio."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    arm_type = models.CharField(max_length=32, choices=ArmType.choices, default=ArmType.EXPERIMENTAL)
    description = models.TextField(blank=True)
    allocation_ratio = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        ordering = ["study", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "code"],
                name="unique_arm_code_per_study",
                violation_error_message="This study already has an arm with this code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class MilestoneKind(models.TextChoices):
    PROTOCOL_FINAL = "protocol_final", "Protocol final"
    FIRST_SITE_ACTIVATED = "first_site_activated", "First site activated"
    SITE_ACTIVATED = "site_activated", "Site activated"
    FIRST_PARTICIPANT_IN = "first_participant_in", "First participant in"
    LAST_PARTICIPANT_IN = "last_participant_in", "Last participant in"
    LAST_PARTICIPANT_LAST_VISIT = "last_participant_last_visit", "Last participant last visit"
    DATABASE_LOCK = "database_lock", "Database lock"
    CLINICAL_STUDY_REPORT = "clinical_study_report", "Clinical study report"
    CUSTOM = "custom", "Custom"


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Milestone(RegulatedRecord):
    """A planned event of a study or one of its sites, with baseline, forecast and actual dates."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="milestones")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(max_length=40, choices=MilestoneKind.choices)
    name = models.CharField(max_length=200, blank=True, help_text="Required for a custom milestone.")
    baseline_on = models.DateField("baseline date", null=True, blank=True)
    forecast_on = models.DateField("forecast date", null=True, blank=True)
    actual_on = models.DateField("actual date", null=True, blank=True)
    note = models.TextField(blank=True)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["study", "baseline_on", "id"]
        indexes = [models.Index(fields=["study", "actual_on"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name or self.get_kind_display()

    def local_today(self):
        """Today in the site's time zone for a site milestone, else in UTC."""
        if self.study_site_id:
            return self.study_site.local_today()
        return timezone.now().date()

    def standing(self, today=None) -> rules.MilestoneStanding:
        return rules.milestone_standing(
            baseline_on=self.baseline_on,
            forecast_on=self.forecast_on,
            actual_on=self.actual_on,
            today=today or timezone.now().date(),
        )

    def clean(self) -> None:
        errors = {}
        if self.kind == MilestoneKind.CUSTOM and not self.name.strip():
            errors["name"] = "A custom milestone needs a name."
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        problem = rules.actual_date_problem(self.actual_on, self.local_today())
        if problem:
            errors["actual_on"] = problem
        if errors:
            raise ValidationError(errors)


class HealthThreshold(RegulatedRecord):
    """A number a health signal judges a study by (core.extensions.health_thresholds), as the study's CRM
    set it; a study without a row for a key is judged by the threshold's default."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="health_thresholds")
    key = models.CharField(max_length=60)
    value = models.FloatField()

    objects = StudyChildQuerySet.as_manager()

    class Meta:
        ordering = ["study", "key"]
        constraints = [
            models.UniqueConstraint(fields=["study", "key"], name="one_health_threshold_per_study_and_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value:g}"


class StoredHealth(models.Model):
    """A study's health as last computed for the portfolio (by `trialdesk health refresh`, nightly, and
    after the demo loads): one colour for readers of everything, one for subject-blind readers (sponsor
    viewers), whose subject-level signals read unknown. Derived data, recomputed whole: not audited."""

    study = models.OneToOneField(Study, on_delete=models.CASCADE, related_name="stored_health")
    overall = models.CharField(max_length=8)
    overall_subject_blind = models.CharField(max_length=8)
    # Severity ranks of the two colours (red 0, amber 1, green 2) for sorting the portfolio in SQL.
    rank = models.PositiveSmallIntegerField()
    rank_subject_blind = models.PositiveSmallIntegerField()
    dimensions = models.JSONField(default=list)  # [{"name", "status"}] as read by the full reader
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.study} health {self.overall} ({self.computed_at:%Y-%m-%d %H:%M} UTC)"


class PortfolioView(models.Model):
    """A person's saved portfolio view: the page's filters and sort under a name, picked later from the
    portfolio; shared views are offered to everyone, who still see only the studies in their scope. A
    preference, not trial data: not audited."""

    owner = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="portfolio_views")
    name = models.CharField(max_length=80)
    # The portfolio's query string (search, status, phase, therapeutic_area, sort), as the page sent it.
    query = models.CharField(max_length=500, blank=True)
    shared = models.BooleanField(default=False, help_text="Offer this view to everyone.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="portfolio_view_name_per_owner"),
        ]

    def __str__(self) -> str:
        return self.name
