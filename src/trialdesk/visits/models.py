"""A protocol version's schedule of activities, each participant's visits, and protocol deviations."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.visits import rules


class VisitType(models.TextChoices):
    SCREENING = "screening", "Screening"
    BASELINE = "baseline", "Baseline"
    TREATMENT = "treatment", "Treatment"
    FOLLOW_UP = "follow_up", "Follow-up"
    END_OF_STUDY = "end_of_study", "End of study"
    UNSCHEDULED = "unscheduled", "Unscheduled"


class Anchor(models.TextChoices):
    CONSENT = "consent", "Consent"
    ENROLLMENT = "enrollment", "Enrollment"
    RANDOMIZATION = "randomization", "Randomization"
    FIRST_DOSE = "first_dose", "First dose"


class Modality(models.TextChoices):
    ON_SITE = "on_site", "On site"
    TELEMEDICINE = "telemedicine", "Telemedicine"
    HOME_VISIT = "home_visit", "Home visit"
    REMOTE_DATA = "remote_data", "Wearable / remote data"


class VisitDefinitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="protocol_version__study"))


class VisitDefinition(RegulatedRecord):
    """One visit of a protocol version's schedule of activities: when it falls and how it may be done.

    The target day is the anchor (consent, enrollment, randomization or first dose) plus `day_offset`
    days; the visit is in window from `window_before_days` before to `window_after_days` after it.
    """

    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", on_delete=models.CASCADE, related_name="visit_definitions"
    )
    code = models.CharField(max_length=20, help_text="e.g. SCR, BL, W4, EOS")
    name = models.CharField(max_length=200)
    visit_type = models.CharField(max_length=16, choices=VisitType.choices)
    anchor = models.CharField(max_length=16, choices=Anchor.choices, default=Anchor.RANDOMIZATION)
    day_offset = models.IntegerField(
        help_text="Days after the anchor (0 is the anchor day; negative for visits before it)."
    )
    window_before_days = models.PositiveSmallIntegerField("window before (days)", default=0)
    window_after_days = models.PositiveSmallIntegerField("window after (days)", default=0)
    # blank=True so that an empty list is refused by clean() with a message saying what to do.
    modalities = models.JSONField("allowed modalities", default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0, help_text="Position in the schedule.")

    objects = VisitDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["protocol_version", "order", "day_offset", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["protocol_version", "code"],
                name="unique_visit_code_per_protocol_version",
                violation_error_message="This protocol version already has a visit with this code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"

    def audit_study_id(self) -> int:
        return self.protocol_version.study_id

    def clean(self) -> None:
        if not isinstance(self.modalities, list) or not all(isinstance(m, str) for m in self.modalities):
            raise ValidationError({"modalities": gettext("Give the allowed modalities as a list of names.")})
        problem = rules.modalities_problem(self.modalities)
        if problem:
            raise ValidationError({"modalities": problem})

    @property
    def window_label(self) -> str:
        return f"−{self.window_before_days}/+{self.window_after_days} d"

    def modality_labels(self) -> list[str]:
        return [Modality(m).label for m in self.modalities if m in Modality.values]


class VisitStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DONE = "done", "Done"


class ScheduledVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            scope_filter(
                user, study_path="participant__study", site_path="participant__study_site", subject_level=True
            )
        )


class ScheduledVisit(RegulatedRecord):
    """A visit of one participant: scheduled from a visit definition (or unscheduled), then done.

    Whether a visit not done is missed is not stored: it depends on the site's today and is worked
    out on read (rules.visit_standing), so no nightly job is needed and it is never stale.
    """

    participant = models.ForeignKey(
        "subjects.Participant", on_delete=models.PROTECT, related_name="scheduled_visits"
    )
    definition = models.ForeignKey(
        VisitDefinition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduled_visits",
        help_text="Empty for an unscheduled visit.",
    )
    anchor_on = models.DateField("anchor date", null=True, blank=True)
    target_on = models.DateField("target date", null=True, blank=True)
    window_start_on = models.DateField("window opens", null=True, blank=True)
    window_end_on = models.DateField("window closes", null=True, blank=True)
    status = models.CharField(max_length=16, choices=VisitStatus.choices, default=VisitStatus.SCHEDULED)
    done_on = models.DateField("visit date", null=True, blank=True)
    modality = models.CharField(max_length=16, choices=Modality.choices, blank=True)
    out_of_window = models.BooleanField(default=False)
    note = models.TextField(blank=True, help_text="For an unscheduled visit: why it took place.")

    objects = ScheduledVisitQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "target_on", "id"]
        constraints = [
            # One visit per definition and participant: scheduling twice creates nothing new.
            models.UniqueConstraint(
                fields=["participant", "definition"],
                condition=models.Q(definition__isnull=False),
                name="unique_scheduled_visit_per_definition",
                violation_error_message="This participant already has this visit scheduled.",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "window_end_on"]),
            models.Index(fields=["participant", "status", "target_on"]),
        ]

    def __str__(self) -> str:
        label = self.definition.code if self.definition_id else "Unscheduled visit"
        return f"{label} of {self.participant}"

    def audit_study_id(self) -> int:
        return self.participant.study_id

    def audit_study_site_id(self) -> int:
        return self.participant.study_site_id

    @property
    def is_done(self) -> bool:
        return self.status == VisitStatus.DONE

    def standing(self, today) -> str:
        return rules.visit_standing(
            done_on=self.done_on, start_on=self.window_start_on, end_on=self.window_end_on, today=today
        )

    def allowed_modalities(self) -> list[str]:
        """What the definition allows; an unscheduled visit may take place any way."""
        return list(self.definition.modalities) if self.definition_id else list(Modality.values)


class DeviationCategory(models.TextChoices):
    CONSENT = "consent", "Consent"
    ELIGIBILITY = "eligibility", "Eligibility"
    VISIT_WINDOW = "visit_window", "Visit window"
    PROCEDURE = "procedure", "Procedure"
    IP_DOSING = "ip_dosing", "IP / dosing"
    SAFETY_REPORTING = "safety_reporting", "Safety reporting"
    OTHER = "other", "Other"


class ReviewStatus(models.TextChoices):
    NEEDS_REVIEW = "needs_review", "Needs review"
    REVIEWED = "reviewed", "Reviewed"


class ProtocolDeviationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))


class ProtocolDeviation(RegulatedRecord):
    """A departure from the protocol at a site, for one participant or the site as a whole.

    Important deviations (those that may affect participants' safety or rights, or the reliability
    of the data) are counted separately in the site trend. A deviation Trialdesk detects itself (a
    visit while re-consent is overdue) is flagged as created automatically and waits for review.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="deviations")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="deviations")
    participant = models.ForeignKey(
        "subjects.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deviations",
        help_text="Empty for a deviation that concerns the site rather than one participant.",
    )
    scheduled_visit = models.ForeignKey(
        ScheduledVisit, null=True, blank=True, on_delete=models.PROTECT, related_name="deviations"
    )
    category = models.CharField(max_length=20, choices=DeviationCategory.choices)
    important = models.BooleanField(
        default=False, help_text="May affect participants' safety, rights or wellbeing, or data reliability."
    )
    description = models.TextField()
    occurred_on = models.DateField("date occurred")
    identified_on = models.DateField("date identified")
    corrective_action = models.TextField(blank=True)
    created_automatically = models.BooleanField(default=False, editable=False)
    review_status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.NEEDS_REVIEW
    )
    reviewed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    reviewed_on = models.DateField(null=True, blank=True, editable=False)

    objects = ProtocolDeviationQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["study", "study_site", "important"]),
            models.Index(fields=["study", "review_status"]),
        ]

    def __str__(self) -> str:
        return f"PD-{self.pk or 'new'} {self.get_category_display()}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        if self.participant_id and self.participant.study_site_id != self.study_site_id:
            errors["participant"] = gettext("This participant is seen at another site.")
        if self.occurred_on and self.identified_on and self.study_site_id:
            errors.update(
                rules.deviation_dates_problem(
                    occurred_on=self.occurred_on,
                    identified_on=self.identified_on,
                    today=self.study_site.local_today(),
                )
            )
        if errors:
            raise ValidationError(errors)
