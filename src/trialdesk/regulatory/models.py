"""Ethics committees, regulatory authorities, submissions and their decisions, amendment implementation."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.regulatory.rules import oversight, review
from trialdesk.sites import rules as site_rules


class RegulatoryAuthority(models.Model):
    """A medicines regulator (FDA, EMA and the EU member states' authorities, MHRA, …), loaded from
    regulatory/countries/authorities.json by a data migration: reference data, not trial data."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    countries = models.JSONField(default=list, help_text="ISO 3166-1 alpha-2 codes it covers.")
    region = models.CharField(max_length=10, blank=True, help_text="EU for the Clinical Trials Regulation.")
    portal = models.CharField(max_length=60, blank=True, help_text="Where submissions go, e.g. CTIS.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "regulatory authorities"

    def __str__(self) -> str:
        return self.code


class CommitteeType(models.TextChoices):
    CENTRAL_IRB = "central_irb", "Central IRB"
    LOCAL_IRB = "local_irb", "Local IRB"
    CENTRAL_EC = "central_ec", "Central ethics committee"
    LOCAL_EC = "local_ec", "Local ethics committee"


class EthicsCommitteeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A public directory (committee names and policies hold no trial data): every signed-in user."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.all()


class EthicsCommittee(RegulatedRecord):
    """An ethics committee or IRB, with its policy for continuing review and for reports sent to it."""

    name = models.CharField(max_length=200)
    country = models.CharField("country (ISO 3166-1 alpha-2)", max_length=2)
    committee_type = models.CharField("type", max_length=16, choices=CommitteeType.choices)
    continuing_review_months = models.PositiveSmallIntegerField(
        "continuing review period (months)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(60)],
        help_text="Empty when the committee has no periodic continuing review (e.g. EU CTR).",
    )
    safety_report_days = models.PositiveSmallIntegerField(
        "days to report safety events",
        null=True,
        blank=True,
        validators=[MaxValueValidator(365)],
        help_text="Its deadline for unanticipated problems / SUSARs sent to it.",
    )
    deviation_report_days = models.PositiveSmallIntegerField(
        "days to report serious deviations", null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    wants_annual_progress_report = models.BooleanField(default=False)
    reporting_policy = models.TextField(blank=True, help_text="Anything else it asks for, in its words.")
    contact_email = models.EmailField(blank=True)

    objects = EthicsCommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"],
                name="unique_ethics_committee",
                violation_error_message="This committee is already in the directory.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def audit_study_id(self) -> None:
        return None

    def clean_fields(self, exclude=None) -> None:
        self.name = (self.name or "").strip()
        self.country = (self.country or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if problem := site_rules.country_problem(self.country):
            raise ValidationError({"country": problem})


class SubmissionKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    AMENDMENT = "amendment", "Amendment"
    CONTINUING_REVIEW = "continuing_review", "Continuing review"
    SAFETY_REPORT = "safety_report", "Safety report"
    DEVIATION_REPORT = "deviation_report", "Deviation report"
    CLOSURE = "closure", "Closure"


class Outcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions", "Approved with conditions"
    REJECTED = "rejected", "Rejected"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    DEEMED_APPROVED = "deemed_approved", "Deemed approved (no decision within the legal period)"


class StudySiteRecordQuerySet(models.QuerySet):
    """Records of a study, study-wide or of one site: site staff see their sites' and the study-wide."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Submission(RegulatedRecord):
    """A submission to an ethics committee or an authority, for a study, one country or one site, and its
    decision (outcome, approval date, expiry)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="submissions")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    country = models.CharField(
        "country (ISO 3166-1 alpha-2)", max_length=2, blank=True, help_text="Empty: the whole study."
    )
    ethics_committee = models.ForeignKey(
        EthicsCommittee, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    authority = models.ForeignKey(
        RegulatoryAuthority, null=True, blank=True, on_delete=models.PROTECT, related_name="submissions"
    )
    kind = models.CharField(max_length=20, choices=SubmissionKind.choices)
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text="Required for an amendment.",
    )
    reference = models.CharField("committee / authority reference", max_length=100, blank=True)
    documents_included = models.TextField(blank=True, help_text="One document per line.")
    submitted_on = models.DateField("submission date")
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True)
    decided_on = models.DateField("approval / decision date", null=True, blank=True)
    expires_on = models.DateField("approval expiry date", null=True, blank=True)
    conditions = models.TextField(blank=True, help_text="Conditions attached to the approval.")
    # An IRB's decision on continuing review (US): under which regulation it reviewed the research, and its
    # determination that continuing review is not required (45 CFR 46.109(f)(1), never for FDA-regulated
    # research, 21 CFR 56.109(f)).
    regulated_by = models.CharField(
        "reviewed under", max_length=16, blank=True, choices=list(review.REGULATED_BY.items())
    )
    continuing_review_exemption = models.CharField(
        "continuing review", max_length=24, blank=True, choices=list(review.EXEMPTION_CHOICES.items())
    )

    objects = StudySiteRecordQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["study", "kind"]),
            models.Index(fields=["study_site", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} submission to {self.recipient_name}"

    @property
    def recipient_name(self) -> str:
        return str(self.ethics_committee or self.authority or "—")

    @property
    def is_approval(self) -> bool:
        return self.outcome in oversight.APPROVING_OUTCOMES

    @property
    def documents(self) -> list[str]:
        return [line.strip() for line in self.documents_included.splitlines() if line.strip()]

    def clean_fields(self, exclude=None) -> None:
        self.country = (self.country or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = dict(
            oversight.submission_problems(
                kind=self.kind,
                to_committee=self.ethics_committee_id is not None,
                to_authority=self.authority_id is not None,
                has_protocol_version=self.protocol_version_id is not None,
                submitted_on=self.submitted_on,
                outcome=self.outcome,
                decided_on=self.decided_on,
                expires_on=self.expires_on,
            )
        )
        for field, problem in review.decision_review_problems(
            kind=self.kind,
            to_committee=self.ethics_committee_id is not None,
            outcome=self.outcome,
            decided_on=self.decided_on,
            expires_on=self.expires_on,
            regulated_by=self.regulated_by,
            exemption=self.continuing_review_exemption,
        ):
            errors.setdefault(field, problem)
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        elif self.study_site_id and self.country and self.study_site.institution.country != self.country:
            errors["country"] = "The site is in another country."
        if self.country and (problem := site_rules.country_problem(self.country)):
            errors["country"] = problem
        version = self.protocol_version
        if version is not None and self.study_id and version.study_id != self.study_id:
            errors["protocol_version"] = "This protocol version belongs to another study."
        if errors:
            raise ValidationError(errors)


class AmendmentImplementationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class AmendmentImplementation(RegulatedRecord):
    """The roll-out of an approved protocol amendment to the study's sites (one per protocol version)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="amendments")
    protocol_version = models.OneToOneField(
        "studies.ProtocolVersion", on_delete=models.PROTECT, related_name="implementation"
    )
    started_on = models.DateField()
    changes_consent = models.BooleanField(
        default=True, help_text="The amendment brings a new consent version: participants re-consent."
    )
    changes_schedule = models.BooleanField(
        default=False, help_text="The amendment's visit schedule is applied to ongoing participants."
    )
    note = models.TextField(blank=True)

    objects = AmendmentImplementationQuerySet.as_manager()

    class Meta:
        ordering = ["study", "started_on", "id"]

    def __str__(self) -> str:
        return f"Implementation of protocol v{self.protocol_version.number}"


class ManualItem(models.TextChoices):
    """Checklist items someone ticks (with a date); the others are derived from the records."""

    EC_SUBMITTED = "ec_submitted", "Submitted to the ethics committee"
    AUTHORITY_SUBMITTED = "authority_submitted", "Submitted to the authority"
    SCHEDULE_APPLIED = "schedule_applied", "New visit schedule applied"


class AmendmentTask(RegulatedRecord):
    """A manual checklist item of an amendment's implementation at one site, ticked with its date."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="amendment_tasks")
    implementation = models.ForeignKey(
        AmendmentImplementation, on_delete=models.PROTECT, related_name="tasks"
    )
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="amendment_tasks"
    )
    item = models.CharField(max_length=24, choices=ManualItem.choices)
    done_on = models.DateField("done on")
    note = models.CharField(max_length=300, blank=True)

    objects = StudySiteRecordQuerySet.as_manager()

    class Meta:
        ordering = ["implementation", "study_site", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["implementation", "study_site", "item"],
                name="unique_amendment_task",
                violation_error_message="This item is already ticked for this site.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_item_display()} at {self.study_site}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        elif self.study_site_id and self.done_on and self.done_on > self.study_site.local_today():
            errors["done_on"] = "The date is in the future."
        if errors:
            raise ValidationError(errors)
