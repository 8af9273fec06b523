"""Risk-based quality management: the issue log with its CAPA, the risk register (TransCelerate RACT),
quality tolerance limits (ICH E6(R3), E8(R1)) and the signals that red KRI flags open."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.monitoring.models.choices import (
    Effectiveness,
    IssueCategory,
    IssueSource,
    IssueStatus,
    QtlParameter,
    RiskCategory,
    RiskStatus,
    Severity,
    SignalDecision,
    SignalStatus,
)
from trialdesk.monitoring.scoping import sponsor_side

ONE_TO_THREE = [MinValueValidator(1), MaxValueValidator(3)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class IssueQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The study team's and monitors' issues, and those the user owns (a PI owning a CAPA)."""
        sponsor = sponsor_side(user, study_path="study", site_path="study_site")
        if not sponsor:  # an administrator: an empty Q would vanish from the OR below
            return self.all()
        owned = scope_filter(user, study_path="study", site_path="study_site") & Q(owner=user.pk)
        return self.filter(sponsor | owned)


class Issue(RegulatedRecord):
    """An issue of a study or one site, raised by hand or from a deviation, finding, KRI signal or QTL
    breach; its root cause, corrective and preventive action (CAPA) and the check that they worked."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey(
        "sites.StudySite",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for an issue of the study as a whole.",
    )
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=16, choices=IssueCategory.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    source = models.CharField(
        max_length=10, choices=IssueSource.choices, default=IssueSource.MANUAL, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField("due date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    root_cause = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)
    preventive_action = models.TextField(blank=True)
    effectiveness_check_on = models.DateField("effectiveness check due", null=True, blank=True)
    effectiveness = models.CharField(max_length=14, choices=Effectiveness.choices, blank=True)
    closed_on = models.DateField(null=True, blank=True, editable=False)
    deviation = models.ForeignKey(
        "visits.ProtocolDeviation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    finding = models.ForeignKey(
        "monitoring.Finding",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
        editable=False,
    )
    signal = models.ForeignKey(
        "monitoring.Signal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
        editable=False,
    )
    qtl = models.ForeignKey(
        "monitoring.QualityToleranceLimit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issues",
        editable=False,
        verbose_name="QTL",
    )

    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_issue_number")]
        indexes = [models.Index(fields=["study", "status"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"ISS-{self.number:04d}" if self.number else "New issue"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        if not self.owner_id:
            errors["owner"] = "Name the issue's owner."
        if self.due_on is None:
            errors["due_on"] = "Give the date by which the issue is to be resolved."
        if errors:
            raise ValidationError(errors)


class RiskQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study"))


class Risk(RegulatedRecord):
    """A risk of the study in the manner of TransCelerate's RACT: likelihood, impact and detectability
    (1–3 each; the score is their product, the tier follows from it), its mitigation, the KRI or QTL
    watching it, and when it is next reviewed."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(editable=False)
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=RiskCategory.choices)
    description = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(validators=ONE_TO_THREE, help_text="1 unlikely – 3 likely.")
    impact = models.PositiveSmallIntegerField(validators=ONE_TO_THREE, help_text="1 low – 3 high.")
    detectability = models.PositiveSmallIntegerField(
        validators=ONE_TO_THREE, help_text="1 easily detected – 3 hard to detect."
    )
    mitigation = models.TextField(blank=True)
    kri_key = models.CharField("watched by KRI", max_length=64, blank=True)
    qtl = models.ForeignKey(
        "monitoring.QualityToleranceLimit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        verbose_name="watched by QTL",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_on = models.DateField("next review")
    status = models.CharField(max_length=8, choices=RiskStatus.choices, default=RiskStatus.OPEN)

    objects = RiskQuerySet.as_manager()

    class Meta:
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_risk_number")]

    def __str__(self) -> str:
        return f"R-{self.number:03d} {self.title}" if self.number else self.title

    @property
    def score(self) -> int:
        from trialdesk.monitoring.rules import quality

        return quality.risk_score(self.likelihood, self.impact, self.detectability)

    @property
    def tier(self) -> str:
        from trialdesk.monitoring.rules import quality

        return quality.risk_tier(self.score)

    def clean(self) -> None:
        from trialdesk.statistics.kris import kri_keys

        errors = {}
        if self.kri_key and self.kri_key not in kri_keys():
            errors["kri_key"] = f"There is no KRI {self.kri_key!r}; choose one of {', '.join(kri_keys())}."
        if self.qtl_id and self.qtl.study_id != self.study_id:
            errors["qtl"] = "This QTL is of another study."
        if errors:
            raise ValidationError(errors)


class QtlQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study"))


class QualityToleranceLimit(RegulatedRecord):
    """A study-level quality tolerance limit (ICH E6(R3) 3.10.1.5; E8(R1)): a parameter computed from
    the study's own records, its limit and an optional secondary (warning) limit, in per cent."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    parameter = models.CharField(max_length=32, choices=QtlParameter.choices)
    limit = models.DecimalField("limit (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    secondary_limit = models.DecimalField(
        "secondary limit (%)", max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    rationale = models.TextField(blank=True, help_text="Why this limit: the historical rate it rests on.")

    objects = QtlQuerySet.as_manager()

    class Meta:
        ordering = ["study", "parameter"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "parameter"],
                name="unique_qtl_parameter",
                violation_error_message="This study already has a limit for this parameter.",
            )
        ]
        verbose_name = "quality tolerance limit"

    def __str__(self) -> str:
        return f"QTL {self.get_parameter_display()}"

    def clean(self) -> None:
        if self.secondary_limit is not None and self.limit is not None and self.secondary_limit >= self.limit:
            raise ValidationError({"secondary_limit": "The secondary limit must be below the limit."})


class SignalQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study", site_path="study_site"))


class Signal(RegulatedRecord):
    """A red KRI flag of a site, opened for triage: the CRM or the site's CRA decides a for-cause visit,
    a remote review, an action item, or no action with a rationale."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="+")
    kri_key = models.CharField("KRI", max_length=64)
    flag = models.SmallIntegerField()
    score = models.FloatField(null=True, blank=True)
    metric = models.FloatField(null=True, blank=True)
    opened_on = models.DateField()
    status = models.CharField(max_length=8, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    decision = models.CharField(max_length=16, choices=SignalDecision.choices, blank=True)
    rationale = models.TextField(blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    triaged_on = models.DateField(null=True, blank=True, editable=False)
    closed_on = models.DateField(null=True, blank=True, editable=False)

    objects = SignalQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["study", "status"]), models.Index(fields=["study_site", "kri_key"])]

    def __str__(self) -> str:
        return f"Signal #{self.pk or 'new'} {self.kri_key}"
