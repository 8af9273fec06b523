"""Records of the privacy app (issue 20): what the data protection officer enters about each study's
processing (purposes and legal bases, transfer safeguards, the trial's end and the sponsor's country),
legal holds, the data-subject request log, and the purges done under the retention rules."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord, User
from trialdesk.privacy import permissions
from trialdesk.privacy.rules import bases, requests
from trialdesk.sites import rules as site_rules


class PrivacyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(permissions.privacy_filter(user, study_path="study"))


class RequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(permissions.request_filter(user, study_path="study"))


class StudyPrivacy(RegulatedRecord):
    """How a study processes personal data beyond what its sites say: where the sponsor's study team
    works (the country its study-level roles see every site's data from) and when the trial ended (the
    start of its retention periods). How long candidate pools are kept is the recruitment app's
    pre-screening policy."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="privacy")
    sponsor_country = models.CharField(
        "sponsor's country (ISO 3166-1 alpha-2)",
        max_length=2,
        help_text="Where the study team (CRM, safety, finance, sponsor viewers) works.",
    )
    trial_ended_on = models.DateField(
        "end of the trial",
        null=True,
        blank=True,
        help_text="As the protocol defines it; the TMF is kept 25 years from it (EU CTR Art 58).",
    )

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["study"]
        verbose_name_plural = "study privacy settings"

    def __str__(self) -> str:
        return f"Privacy settings of {self.study}"

    def clean(self) -> None:
        self.sponsor_country = (self.sponsor_country or "").strip().upper()
        if problem := site_rules.country_problem(self.sponsor_country):
            raise ValidationError({"sponsor_country": problem})


class ProcessingPurpose(RegulatedRecord):
    """One purpose for which a study processes a category of personal data, and its legal basis under
    GDPR Art 6 (and, for health data, the condition of Art 9(2))."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="processing_purposes")
    category = models.CharField(max_length=16, choices=list(bases.CATEGORIES.items()))
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField("legal basis (Art 6)", max_length=16, choices=bases.LEGAL_BASIS_CHOICES)
    special_condition = models.CharField(
        "condition for health data (Art 9(2))",
        max_length=16,
        choices=bases.SPECIAL_CONDITION_CHOICES,
        blank=True,
    )
    note = models.TextField(blank=True)

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["study", "category", "purpose", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "category", "purpose"],
                name="unique_processing_purpose",
                violation_error_message="This purpose is already recorded for this category.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.purpose}"

    def clean(self) -> None:
        if problem := bases.special_condition_problem(self.category, self.special_condition):
            raise ValidationError({"special_condition": problem})


class Safeguard(models.TextChoices):
    ADEQUACY = "adequacy_decision", "Adequacy decision"
    SCC = "standard_contractual_clauses", "Standard contractual clauses"
    OTHER = "other", "Other (binding corporate rules, derogation, …)"


class TransferSafeguard(RegulatedRecord):
    """The safeguard under which personal data of one country are seen from another (GDPR Art 44–49)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="transfer_safeguards")
    from_country = models.CharField("from (ISO 3166-1 alpha-2)", max_length=2)
    to_country = models.CharField("to (ISO 3166-1 alpha-2)", max_length=2)
    safeguard = models.CharField(max_length=32, choices=Safeguard.choices)
    reference = models.CharField(
        max_length=300, blank=True, help_text="The decision, contract or clauses relied on, and where filed."
    )

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["study", "from_country", "to_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "from_country", "to_country"],
                name="unique_transfer_safeguard",
                violation_error_message="A safeguard is already recorded for this transfer; change that one.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_country} → {self.to_country}: {self.get_safeguard_display()}"

    def clean(self) -> None:
        self.from_country = (self.from_country or "").strip().upper()
        self.to_country = (self.to_country or "").strip().upper()
        errors = {}
        for field in ("from_country", "to_country"):
            if problem := site_rules.country_problem(getattr(self, field)):
                errors[field] = problem
        if not errors and self.from_country == self.to_country:
            errors["to_country"] = "A transfer goes to another country."
        if self.safeguard == Safeguard.OTHER and not self.reference.strip():
            errors["reference"] = "Say which safeguard (binding corporate rules, an Art 49 derogation, …)."
        if errors:
            raise ValidationError(errors)


class LegalHold(RegulatedRecord):
    """Records that must not be purged whatever their retention period (litigation, an inspection, an
    authority's request): a whole study's, or one person's."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="legal_holds")
    person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="legal_holds",
        help_text="Empty: every record of the study.",
    )
    reason = models.CharField(max_length=300)
    placed_on = models.DateField()
    lifted_on = models.DateField(null=True, blank=True)

    objects = PrivacyQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-placed_on", "id"]

    def __str__(self) -> str:
        who = f" on {self.person}" if self.person_id else ""
        return f"Legal hold{who} ({self.reason})"

    @property
    def is_active(self) -> bool:
        return self.lifted_on is None

    def clean(self) -> None:
        if self.lifted_on and self.placed_on and self.lifted_on < self.placed_on:
            raise ValidationError({"lifted_on": "A hold cannot be lifted before it was placed."})


class DataSubjectRequest(RegulatedRecord):
    """A request from a person about their own personal data (GDPR Art 15–17), logged under the study
    through which Trialdesk holds it, answered within one month of receipt (Art 12(3))."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="data_subject_requests")
    kind = models.CharField(max_length=16, choices=list(requests.KINDS.items()))
    subject_kind = models.CharField(
        "the person is", max_length=16, choices=list(requests.SUBJECT_KINDS.items())
    )
    person = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="data_subject_requests",
        help_text="For a staff member: their account.",
    )
    # A reference, never a name or contact details: the request's events stay on the audit trail for good,
    # and whoever answers it finds the person through the reference (their candidate number, the case file).
    requester_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="For a candidate: their candidate number or your case reference, never their name.",
    )
    received_on = models.DateField()
    due_on = models.DateField(editable=False)
    extended = models.BooleanField(
        default=False, help_text="Extended by two further months (Art 12(3)); the person must be told why."
    )
    status = models.CharField(max_length=16, choices=list(requests.STATUSES.items()), default="open")
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done, or why the request was refused.")

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["status", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        who = str(self.person) if self.person_id else (self.requester_reference or "a candidate")
        return f"{self.get_kind_display()} request of {who}"

    def clean(self) -> None:
        if self.received_on:
            self.due_on = requests.due_on(received_on=self.received_on, extended=self.extended)
        problems = requests.request_problems(
            subject_kind=self.subject_kind,
            has_person=self.person_id is not None,
            requester_reference=self.requester_reference,
            status=self.status,
            received_on=self.received_on,
            closed_on=self.closed_on,
        )
        if problems:
            raise ValidationError(problems)

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == "open" and self.due_on < today


class PurgeRun(RegulatedRecord):
    """One run of `trialdesk privacy purge` that changed something: what was deleted or anonymised, by
    record type and id, and under which retention rule — never the values themselves."""

    ran_at = models.DateTimeField()
    purged = models.JSONField(default=list, blank=True)
    refused = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"Purge of {self.ran_at:%Y-%m-%d %H:%M} UTC ({len(self.purged)} records)"
