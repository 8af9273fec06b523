"""Participants of a study, identified only by their study participant number."""

from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter


class ParticipantStatus(models.TextChoices):
    SCREENING = "screening", "Screening"
    ENROLLED = "enrolled", "Enrolled"
    RANDOMIZED = "randomized", "Randomized"
    ON_TREATMENT = "on_treatment", "On treatment"
    FOLLOW_UP = "follow_up", "Follow-up"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    LOST_TO_FOLLOW_UP = "lost_to_follow_up", "Lost to follow-up"
    DIED = "died", "Died"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown / not reported"


class ParticipantQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Participant(RegulatedRecord):
    """A person taking part in a study, pseudonymous: a participant number, never a name or contact."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="participants")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="participants")
    number = models.CharField("participant number", max_length=40)
    status = models.CharField(
        max_length=24, choices=ParticipantStatus.choices, default=ParticipantStatus.ENROLLED
    )
    enrolled_on = models.DateField(null=True, blank=True)
    status_changed_on = models.DateField(null=True, blank=True)
    end_reason = models.TextField(blank=True, help_text="Why the participant withdrew, was lost or died.")
    # Optional demographics for the diversity plan; never identifying on their own.
    sex = models.CharField(max_length=16, choices=Sex.choices, blank=True)
    age_at_consent = models.PositiveSmallIntegerField(null=True, blank=True)
    ethnicity = models.CharField(max_length=40, blank=True)
    race = models.CharField(max_length=60, blank=True)
    country = models.CharField(max_length=2, blank=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "number"],
                name="unique_participant_number_per_study",
                violation_error_message="This participant number is already used in this study.",
            )
        ]
        indexes = [models.Index(fields=["study_site", "status"])]

    def __str__(self) -> str:
        return self.number
