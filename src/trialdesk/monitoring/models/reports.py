"""The report of a monitoring visit: its answers to the visit type's template, the participants and
visits source-verified or reviewed, the findings, and the CRA's and the CRM's electronic signatures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.monitoring.models.choices import FindingCategory, ReportStatus, ReviewKind, Severity
from trialdesk.monitoring.models.visits import MonitoringVisit
from trialdesk.monitoring.scoping import sponsor_side


class VisitReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The report is the sponsor's record (the site receives the follow-up letter)."""
        return self.filter(sponsor_side(user, study_path="study", site_path="study_site"))


class VisitReport(RegulatedRecord):
    """The CRA's report of one visit, written to the visit type's template (rules.reports), submitted
    with the CRA's signature, and approved or returned with comments by the CRM."""

    visit = models.OneToOneField(MonitoringVisit, on_delete=models.PROTECT, related_name="report")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # {question key: {"answer": "yes" | "no" | "na", "comment": "..."}} for the template's questions.
    answers = models.JSONField(default=dict, blank=True)
    summary = models.TextField(blank=True, help_text="Overall assessment of the site.")
    due_on = models.DateField("report due", editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    returned_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comments = models.TextField(blank=True, editable=False)

    objects = VisitReportQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-id"]
        indexes = [models.Index(fields=["study", "status"])]

    def __str__(self) -> str:
        return f"Report of the {self.visit}"

    def clean(self) -> None:
        from trialdesk.monitoring.rules import reports as rules

        problems = rules.answers_problems(self.visit.visit_type, self.answers)
        if problems:
            raise ValidationError(problems)


class Meaning(models.TextChoices):
    AUTHORSHIP = "authorship", "Author: I submit this report as a true account of the visit"
    APPROVAL = "approval", "Reviewer: I have reviewed and approve this report"


class ReportSignatureQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="report__study", site_path="report__study_site"))


class ReportSignature(RegulatedRecord):
    """An electronic signature on a visit report (21 CFR 11.50): who signed (printed name), when (UTC),
    and what the signature means; `content_sha256` links it to the report as it was signed (11.70)."""

    report = models.ForeignKey(VisitReport, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    printed_name = models.CharField(max_length=300)
    meaning = models.CharField(max_length=12, choices=Meaning.choices)
    signed_at = models.DateTimeField()
    report_version = models.PositiveIntegerField()
    content_sha256 = models.CharField(max_length=64)
    # False for a signature transcribed from the system used before Trialdesk (signed there, not here).
    reauthenticated = models.BooleanField(default=True)

    objects = ReportSignatureQuerySet.as_manager()

    class Meta:
        ordering = ["report", "signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_meaning_display()} — {self.printed_name}"

    def audit_study_id(self) -> int:
        return self.report.study_id

    def audit_study_site_id(self) -> int:
        return self.report.study_site_id


class SourceReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study", site_path="study_site", subject_level=True))


class SourceReview(RegulatedRecord):
    """A participant (and optionally one of their visits) source-verified or reviewed at a visit."""

    report = models.ForeignKey(VisitReport, on_delete=models.PROTECT, related_name="source_reviews")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey("subjects.Participant", on_delete=models.PROTECT, related_name="+")
    scheduled_visit = models.ForeignKey(
        "visits.ScheduledVisit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the participant's records as a whole.",
    )
    kind = models.CharField(max_length=4, choices=ReviewKind.choices, default=ReviewKind.SDV)
    critical_data = models.BooleanField(
        "critical data verified", default=False, help_text="Consent, eligibility, primary endpoint, SAEs."
    )
    note = models.CharField(max_length=500, blank=True)

    objects = SourceReviewQuerySet.as_manager()

    class Meta:
        ordering = ["report", "participant", "id"]
        indexes = [models.Index(fields=["study_site", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk or 'new'}"

    def clean(self) -> None:
        errors = {}
        if self.participant_id and self.participant.study_site_id != self.study_site_id:
            errors["participant"] = "This participant is seen at another site."
        if self.scheduled_visit_id and self.scheduled_visit.participant_id != self.participant_id:
            errors["scheduled_visit"] = "This visit is another participant's."
        if errors:
            raise ValidationError(errors)


class FindingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A site's findings are shown to its staff too: they act on them."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Finding(RegulatedRecord):
    """Something the CRA found at a visit, with its category and severity; a protocol deviation it
    shows is recorded through the visits app and linked here."""

    report = models.ForeignKey(VisitReport, on_delete=models.PROTECT, related_name="findings")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    category = models.CharField(max_length=20, choices=FindingCategory.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    description = models.TextField(help_text="What was found; name no participant (link the deviation).")
    deviation = models.ForeignKey(
        "visits.ProtocolDeviation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="unique_finding_number")]

    def __str__(self) -> str:
        return f"Finding {self.number} ({self.get_severity_display().lower()})"
