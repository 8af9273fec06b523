"""Adverse events and their follow-up versions, each version the event as known at one time."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.safety import ctcae
from trialdesk.safety.models.study_settings import ReferenceSafetyInformation
from trialdesk.safety.rules import consistency


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
    received_at = models.DateTimeField(
        "information received",
        null=True,
        blank=True,
        help_text="When the sponsor received this version's information (ICH E2B(R3) C.1.5); "
        "version 1: when it became aware.",
    )
    significant = models.BooleanField(
        default=False, help_text="Significant new information: a follow-up report of a report already made."
    )
    device_deficiency = models.BooleanField(
        default=False, help_text="A device deficiency that might have led to a serious adverse event."
    )
    imminent_risk = models.BooleanField(
        default=False, help_text="Indicates an imminent risk of death, serious injury or serious illness."
    )
    protocol_exemption = models.ForeignKey(
        "safety.ProtocolReportingExemption",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The protocol's exemption covering this kind of event (its own site → sponsor limit).",
    )
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
    def information_received_at(self):
        """When this version's information reached the sponsor (version 1: its awareness)."""
        return self.received_at or self.sponsor_aware_at or self.site_aware_at

    @property
    def related(self) -> bool | None:
        return consistency.is_related(self.causality)

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
            errors["seriousness"] = gettext("Give the seriousness criteria as a list.")
        else:
            event = self._event()
            site = event.study_site if event else None
            errors.update(
                consistency.adverse_event_problems(
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
            errors["reference_safety_information"] = gettext(
                "This reference safety information is of another study."
            )
        exemption = self.protocol_exemption
        if exemption and event and exemption.study_id != event.study_id:
            errors["protocol_exemption"] = gettext("This protocol exemption is of another study.")
        first_known = self.sponsor_aware_at or self.site_aware_at
        if self.received_at and first_known and self.received_at < first_known:
            errors["received_at"] = gettext("Information cannot be received before the event became known.")
        if errors:
            raise ValidationError(errors)
