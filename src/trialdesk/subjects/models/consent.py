"""Consent versions of a study, their approval at each site, and the consents signed and withdrawn."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.subjects import consent_law
from trialdesk.subjects.models.participants import Participant, StudyRecordQuerySet, StudyWideQuerySet
from trialdesk.subjects.models.screening import ScreeningEntry


class ConsentVersion(RegulatedRecord):
    """A version of a study's informed consent form, in one language, for one protocol version.

    A site may use it only once that site's ethics approval of it is recorded (ConsentApproval).
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="consent_versions")
    # RESTRICT, not PROTECT: deleting a whole (planned) study may take its protocol and consent versions.
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", on_delete=models.RESTRICT, related_name="consent_versions"
    )
    label = models.CharField("version label", max_length=40, help_text="e.g. 3.0, or 2.1-DE")
    language = models.CharField(max_length=35, help_text="The form's language, e.g. en, de, es-US.")
    effective_on = models.DateField("effective date")
    optional_items = models.JSONField(
        default=list,
        blank=True,
        help_text="Optional consent items a participant may agree to or not, e.g. future research.",
    )
    summary_of_changes = models.TextField(blank=True)

    objects = StudyWideQuerySet.as_manager()

    class Meta:
        ordering = ["study", "language", "effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "language", "label"],
                name="unique_consent_version_per_language",
                violation_error_message=(
                    "This study already has a consent version with this label in this language."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"Consent v{self.label} ({self.language})"

    def clean_fields(self, exclude=None) -> None:
        self.label = (self.label or "").strip()
        self.language = (self.language or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.protocol_version_id and self.study_id and self.protocol_version.study_id != self.study_id:
            errors["protocol_version"] = gettext("This protocol version belongs to another study.")
        items = self.optional_items
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            errors["optional_items"] = gettext("Optional items are a list of names.")
        elif len({i.strip().lower() for i in items}) != len(items):
            errors["optional_items"] = gettext("An optional item is listed twice.")
        elif any(len(i) > 100 for i in items):
            errors["optional_items"] = gettext("An optional item's name is longer than 100 characters.")
        if errors:
            raise ValidationError(errors)


class ConsentApproval(RegulatedRecord):
    """A site's ethics approval of a consent version: the site may use the version from this date."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="consent_approvals")
    consent_version = models.ForeignKey(ConsentVersion, on_delete=models.CASCADE, related_name="approvals")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.CASCADE, related_name="consent_approvals"
    )
    approved_on = models.DateField("approval date")
    reference = models.CharField("ethics committee reference", max_length=100, blank=True)

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["study_site", "approved_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consent_version", "study_site"],
                name="unique_consent_approval_per_site",
                violation_error_message="This site's approval of this consent version is already recorded.",
            )
        ]

    def __str__(self) -> str:
        return f"Approval of {self.consent_version} at {self.study_site}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        elif self.study_site_id and self.approved_on and self.approved_on > self.study_site.local_today():
            errors["approved_on"] = gettext("The approval date is in the future.")
        if self.consent_version_id and self.study_id and self.consent_version.study_id != self.study_id:
            errors["consent_version"] = gettext("This consent version belongs to another study.")
        if errors:
            raise ValidationError(errors)


class Consent(RegulatedRecord):
    """An informed consent signed on a consent version by a screened person, later the participant."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="consents")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="consents")
    screening_entry = models.ForeignKey(
        ScreeningEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.PROTECT, related_name="consents"
    )
    consent_version = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="consents")
    signed_at = models.DateTimeField("signed at")
    obtained_by = models.CharField(
        "consent obtained by", max_length=150, help_text="The member of the site staff who obtained consent."
    )
    # {item name: agreed?} for each optional item of the version.
    optional_items = models.JSONField(default=dict, blank=True)
    # Who signed (consent_law): the participant, or a legally authorised representative (with their
    # relationship); for a minor, the child's assent and age, and when they reach the age of majority.
    signer = models.CharField(
        "signed by", max_length=16, choices=list(consent_law.SIGNERS.items()), default=consent_law.PARTICIPANT
    )
    representative_relationship = models.CharField(
        "representative's relationship", max_length=100, blank=True, help_text="e.g. mother, legal guardian"
    )
    minor_assent = models.CharField(
        "assent of a minor", max_length=12, blank=True, choices=list(consent_law.ASSENT.items())
    )
    age_at_signing = models.PositiveSmallIntegerField(
        "participant's age (years)", null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    majority_on = models.DateField(
        "reaches the age of majority on",
        null=True,
        blank=True,
        help_text="For a minor: the day they reach the age of majority where the site is (re-consent due).",
    )

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(screening_entry__isnull=False) | models.Q(participant__isnull=False),
                name="consent_of_someone",
                violation_error_message="A consent belongs to a screened person or a participant.",
            )
        ]
        indexes = [
            models.Index(fields=["participant", "signed_at"]),
            models.Index(fields=["screening_entry", "signed_at"]),
        ]

    def __str__(self) -> str:
        return f"Consent on {self.consent_version}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        if self.consent_version_id and self.study_id and self.consent_version.study_id != self.study_id:
            errors["consent_version"] = gettext("This consent version belongs to another study.")
        for person in (self.screening_entry, self.participant):
            if person is not None and person.study_site_id != self.study_site_id:
                errors["study_site"] = gettext("The consent is recorded at the person's own site.")
        if errors:
            raise ValidationError(errors)


class WithdrawalScope(models.TextChoices):
    FULL = "full", "Full: no further participation"
    PARTIAL = "partial", "Partial: some participation continues"


class ConsentWithdrawal(RegulatedRecord):
    """A participant withdrawing consent, fully or in part, and what (if anything) continues."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="consent_withdrawals")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="consent_withdrawals"
    )
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="consent_withdrawals")
    withdrawn_on = models.DateField("withdrawal date")
    scope = models.CharField(max_length=8, choices=WithdrawalScope.choices)
    what_continues = models.TextField(
        blank=True,
        help_text="e.g. follow-up visits by telephone; use of data and samples already collected.",
    )

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["withdrawn_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_scope_display().split(':')[0]} withdrawal of consent"

    def clean(self) -> None:
        errors = {}
        if self.scope == WithdrawalScope.PARTIAL and not self.what_continues.strip():
            errors["what_continues"] = gettext("A partial withdrawal says what continues.")
        if self.study_site_id and self.withdrawn_on and self.withdrawn_on > self.study_site.local_today():
            errors["withdrawn_on"] = gettext("The withdrawal date is in the future.")
        if errors:
            raise ValidationError(errors)
