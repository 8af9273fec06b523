"""Participants of a study, identified only by their study participant number, with their demographics."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.sites import rules as site_rules
from trialdesk.subjects import rules


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


class Ethnicity(models.TextChoices):
    """Ethnicity as asked in the two-question format of the FDA's guidance on race and ethnicity data."""

    HISPANIC_OR_LATINO = "hispanic_or_latino", "Hispanic or Latino"
    NOT_HISPANIC_OR_LATINO = "not_hispanic_or_latino", "Not Hispanic or Latino"
    UNKNOWN = "unknown", "Unknown / not reported"


class Race(models.TextChoices):
    AMERICAN_INDIAN_OR_ALASKA_NATIVE = "american_indian_or_alaska_native", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK_OR_AFRICAN_AMERICAN = "black_or_african_american", "Black or African American"
    NATIVE_HAWAIIAN_OR_PACIFIC_ISLANDER = (
        "native_hawaiian_or_pacific_islander",
        "Native Hawaiian or Other Pacific Islander",
    )
    WHITE = "white", "White"
    MORE_THAN_ONE = "more_than_one", "More than one race"
    UNKNOWN = "unknown", "Unknown / not reported"


class StudyRecordQuerySet(models.QuerySet):
    """Records of a study kept per site: study-level roles see all, site staff their own sites'."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))

    def countable_by(self, user):
        """The rows `user` may count in an aggregate figure though perhaps not read: a sponsor viewer
        counts the participants of their studies (the overview, the funnel) without seeing one."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class ParticipantQuerySet(StudyRecordQuerySet):
    """Participants: read by those who may see subject-level records at their site, counted by more."""


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
    ethnicity = models.CharField(max_length=40, choices=Ethnicity.choices, blank=True)
    race = models.CharField(max_length=60, choices=Race.choices, blank=True)
    country = models.CharField(max_length=2, blank=True)

    # Set when the participant was enrolled from the screening log (the person's screening and consents).
    screening_entry = models.OneToOneField(
        "ScreeningEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="participant"
    )
    # The running number {seq} the participant number was made from; the next enrollment takes the next.
    sequence = models.PositiveIntegerField(null=True, blank=True, editable=False)

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

    def clean_fields(self, exclude=None) -> None:
        self.number = (self.number or "").strip()
        self.country = (self.country or "").strip().upper()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        if self.country and (problem := site_rules.country_problem(self.country)):
            errors["country"] = problem
        if self.age_at_consent is not None and self.age_at_consent > 120:
            errors["age_at_consent"] = gettext("An age at consent above 120 years is not plausible.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status in rules.ACTIVE_STATUSES

    @property
    def has_ended(self) -> bool:
        return self.status in rules.ENDED_STATUSES

    def local_today(self):
        return self.study_site.local_today()


class StudyWideQuerySet(models.QuerySet):
    """Records of a study as a whole: everyone on the study sees them, site staff included."""

    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))
