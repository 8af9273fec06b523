"""The screening log: each person screened at a site, by screening number only, and the outcome."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.subjects import rules
from trialdesk.subjects.models.participants import StudyRecordQuerySet


class ScreeningSource(models.TextChoices):
    CLINIC = "clinic", "Site's own clinic or patient records"
    REFERRAL = "referral", "Referral from another physician"
    ADVERTISING = "advertising", "Advertising (print, radio, television)"
    ONLINE = "online", "Online or social media"
    REGISTRY = "registry", "Patient registry or advocacy group"
    COMMUNITY = "community", "Community outreach"
    OTHER = "other", "Other"


class ScreeningOutcome(models.TextChoices):
    PENDING = "pending", "In screening"
    PASSED = "passed", "Eligible"
    FAILED = "failed", "Screen failure"


class ScreenFailureReason(models.TextChoices):
    INCLUSION_NOT_MET = "inclusion_not_met", "Inclusion criterion not met"
    EXCLUSION_MET = "exclusion_met", "Exclusion criterion met"
    CONSENT_DECLINED = "consent_declined", "Consent declined"
    LOST_BEFORE_RANDOMIZATION = "lost_before_randomization", "Lost before randomization"
    OTHER = "other", "Other"


class ScreeningEntry(RegulatedRecord):
    """One person screened at a site, by screening number only: when, found how, and the outcome."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="screening_entries")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="screening_entries"
    )
    screening_number = models.CharField(max_length=40)
    screened_on = models.DateField("screening date")
    source = models.CharField(
        "pre-screen source", max_length=16, choices=ScreeningSource.choices, default=ScreeningSource.CLINIC
    )
    source_detail = models.CharField("source detail", max_length=200, blank=True)
    outcome = models.CharField(
        max_length=16, choices=ScreeningOutcome.choices, default=ScreeningOutcome.PENDING
    )
    failure_reason = models.CharField(
        "screen-failure reason", max_length=32, choices=ScreenFailureReason.choices, blank=True
    )
    first_assessment_on = models.DateField(
        "first screening assessment",
        null=True,
        blank=True,
        help_text="The first study procedure done for screening; the consent is signed on or before it.",
    )
    failure_detail = models.CharField(
        "which criterion, or what happened",
        max_length=300,
        blank=True,
        help_text="For a criterion, its number and name (e.g. I3: HbA1c 7–10%); for other, what happened.",
    )

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "-screened_on", "-id"]
        verbose_name_plural = "screening entries"
        constraints = [
            models.UniqueConstraint(
                fields=["study_site", "screening_number"],
                name="unique_screening_number_per_site",
                violation_error_message="This screening number is already in this site's screening log.",
            )
        ]
        indexes = [models.Index(fields=["study", "outcome"])]

    def __str__(self) -> str:
        return f"Screening {self.screening_number}"

    def clean_fields(self, exclude=None) -> None:
        self.screening_number = (self.screening_number or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = rules.screening_outcome_problems(
            outcome=self.outcome, failure_reason=self.failure_reason, failure_detail=self.failure_detail
        )
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        elif self.study_site_id and self.screened_on and self.screened_on > self.study_site.local_today():
            errors["screened_on"] = gettext("The screening date is in the future.")
        if errors:
            raise ValidationError(errors)
