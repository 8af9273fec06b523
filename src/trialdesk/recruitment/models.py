"""Eligibility criteria as rules, the retention of pre-screening data, and each site's candidate pool."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.interop.eligibility.rules import CriteriaError, Criterion
from trialdesk.recruitment import screening
from trialdesk.recruitment.permissions import pool_filter

DEFAULT_RETENTION_DAYS = 180


class Section(models.TextChoices):
    INCLUSION = "inclusion", "Inclusion"
    EXCLUSION = "exclusion", "Exclusion"


class CriterionSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    REGISTRY = "registry", "ClinicalTrials.gov record"


class CandidateStatus(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    UNKNOWN = "unknown", "Unknown"
    INELIGIBLE = "ineligible", "Ineligible"


class StudySetupQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class EligibilityCriterion(RegulatedRecord):
    """One inclusion or exclusion item of a study: its text as the protocol words it and, where it can be
    expressed, a rule. A suggested rule (from a pattern in the text) counts only once a person confirms
    it; until then, and without a rule, the item is checked by hand at the site."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="eligibility_criteria")
    section = models.CharField(max_length=9, choices=Section.choices)
    position = models.PositiveIntegerField(help_text="Its place in its section (1 is first).")
    text = models.TextField(max_length=4000)
    rule = models.JSONField(
        null=True, blank=True, help_text="The structured rule (see `trialdesk eligibility parse`)."
    )
    rule_confirmed = models.BooleanField(
        "rule confirmed",
        default=False,
        help_text="A person checked the rule against the text; only then is it used.",
    )
    source = models.CharField(max_length=8, choices=CriterionSource.choices, default=CriterionSource.ENTERED)

    objects = StudySetupQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-section", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "section", "position"],
                name="unique_criterion_position",
                violation_error_message="This section already has an item at this position.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.text[:60]}"

    @property
    def label(self) -> str:
        return f"{'I' if self.section == Section.INCLUSION else 'E'}{self.position}"

    @property
    def rule_in_use(self) -> dict | None:
        return self.rule if self.rule_confirmed else None

    def as_criterion(self) -> Criterion:
        """The item as the screening engine reads it (its rule only once confirmed)."""
        return Criterion(self.section, self.text, self.rule_in_use)

    def clean(self) -> None:
        if self.rule is None:
            if self.rule_confirmed:
                raise ValidationError({"rule_confirmed": gettext("There is no rule to confirm.")})
            return
        try:
            screening.check_criteria([Criterion(self.section or "inclusion", self.text, self.rule)])
        except CriteriaError as error:
            raise ValidationError({"rule": [p.split(".rule.", 1)[-1] for p in error.problems]}) from None


class PrescreeningPolicy(RegulatedRecord):
    """How long a study keeps pre-screening candidates after their upload before they are purged."""

    study = models.OneToOneField(
        "studies.Study", on_delete=models.PROTECT, related_name="prescreening_policy"
    )
    retention_days = models.PositiveIntegerField(
        "retention period (days)",
        default=DEFAULT_RETENTION_DAYS,
        help_text="Candidates are purged this many days after their upload.",
    )

    objects = StudySetupQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Retention of {self.retention_days} days"

    def clean(self) -> None:
        if self.retention_days is not None and not 1 <= self.retention_days <= 3650:
            raise ValidationError({"retention_days": gettext("The retention period is from 1 to 3650 days.")})


class PoolQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(pool_filter(user, study_path="study", site_path="study_site"))


class PrescreeningPool(RegulatedRecord):
    """A site's pre-screening pool for a study: the candidates its staff uploaded from their records."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="prescreening_pools")
    study_site = models.OneToOneField(
        "sites.StudySite", on_delete=models.PROTECT, related_name="prescreening_pool"
    )

    objects = PoolQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Pre-screening pool of site {self.study_site.site_number}"


class CandidateUpload(RegulatedRecord):
    """One file of candidates added to a pool: what, when and how many (never the candidates' facts, so
    the audit trail keeps no pre-screening data past the retention period); `purged_on` once purged."""

    pool = models.ForeignKey(PrescreeningPool, on_delete=models.PROTECT, related_name="uploads")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=200)
    candidate_count = models.PositiveIntegerField(default=0)
    uploaded_on = models.DateField(help_text="The site's local day of the upload.")
    purged_on = models.DateField(null=True, blank=True)

    objects = PoolQuerySet.as_manager()

    class Meta:
        ordering = ["pool", "-uploaded_on", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.candidate_count} candidates, {self.uploaded_on:%Y-%m-%d})"


class CandidateQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(pool_filter(user, study_path="pool__study", site_path="pool__study_site"))


class Candidate(models.Model):
    """A de-identified candidate in a site's pool: a key, the facts the rules read, and the explained
    result of the last screen. Not a regulated record on purpose: pre-screening data from patient records
    must be purged when its retention period ends, which an append-only audit trail holding its values
    would defeat; the uploads and purges are audited (CandidateUpload) and an approach becomes a screening
    log entry, which is."""

    pool = models.ForeignKey(PrescreeningPool, on_delete=models.CASCADE, related_name="candidates")
    upload = models.ForeignKey(CandidateUpload, on_delete=models.CASCADE, related_name="candidates")
    key = models.CharField("candidate key", max_length=64)
    facts = models.JSONField(help_text="Birth date, sex, coded conditions, observations and medications.")
    status = models.CharField(max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.UNKNOWN)
    results = models.JSONField(
        default=list, help_text="[{criterion, label, text, result, because}] of the last screen."
    )
    screened_on = models.DateField(null=True, blank=True)
    screening_entry = models.OneToOneField(
        "subjects.ScreeningEntry",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prescreening_candidate",
    )

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["pool", "key"]
        constraints = [models.UniqueConstraint(fields=["pool", "key"], name="unique_candidate_key_per_pool")]

    def __str__(self) -> str:
        return f"Candidate {self.key}"
