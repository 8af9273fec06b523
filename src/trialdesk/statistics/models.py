"""Planning assumptions: a sample-size calculation saved to a study, with its inputs and its answer."""

from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter


class PlanningAssumptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class PlanningAssumption(RegulatedRecord):
    """A study's sample-size assumption (e.g. "Primary endpoint"): the design, its inputs and the result.

    The result is what Trialdesk's calculator computed from the parameters when the record was saved,
    method and source included, so the protocol's sample-size section can be traced to it.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="planning_assumptions")
    label = models.CharField(max_length=200, help_text='What the assumption is for, e.g. "Primary endpoint".')
    design = models.CharField(max_length=40)
    parameters = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    note = models.TextField(blank=True)

    objects = PlanningAssumptionQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.label} ({self.design})"


class ForecastState(models.TextChoices):
    FORECAST = "forecast", "Forecast"
    NOT_ENOUGH_DATA = "not_enough_data", "Not enough data"
    TARGET_REACHED = "target_reached", "Target reached"


class EnrollmentForecast(models.Model):
    """A stored enrollment forecast of a study (Poisson–gamma model), as computed on one day.

    Derived data, not a regulated record: it is recomputed from the sites and participants whenever
    they change, so it is neither versioned nor audited. ``state`` says whether the data supported a
    fit; when they did not, ``reason`` says why and the dates and probability are empty. ``curve``
    holds the weekly forecast from the as-of date (``{"on", "mean", "lower", "upper"}``, the band being
    the 10–90% prediction interval), ``actual`` the weekly cumulative enrollment up to it
    (``{"on", "enrolled"}``) and ``sites`` each site's posterior mean rate and prediction.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="enrollment_forecasts")
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    as_of = models.DateField()
    state = models.CharField(max_length=20, choices=ForecastState.choices)
    reason = models.TextField(blank=True)
    target = models.PositiveIntegerField()
    enrolled = models.PositiveIntegerField()
    planned_end = models.DateField(null=True, blank=True)
    completion_p10 = models.DateField(null=True, blank=True)
    completion_p50 = models.DateField(null=True, blank=True)
    completion_p90 = models.DateField(null=True, blank=True)
    probability_by_planned_end = models.FloatField(null=True, blank=True)
    alpha = models.FloatField(null=True, blank=True)
    beta = models.FloatField(null=True, blank=True)
    sims = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    curve = models.JSONField(default=list)
    actual = models.JSONField(default=list)
    sites = models.JSONField(default=list)
    # Where the rate distribution came from (statistics.rules.PRIOR_*; "" before priors) and why.
    prior_source = models.CharField(max_length=32, blank=True)
    prior_note = models.TextField(blank=True)
    # Digest of the inputs (site table, target, planned end, as-of date): a match means still current.
    inputs_digest = models.CharField(max_length=64)

    class Meta:
        ordering = ["study", "-computed_at", "-id"]
        indexes = [models.Index(fields=["study", "-computed_at"], name="forecast_latest_by_study")]

    def __str__(self) -> str:
        return f"Enrollment forecast of {self.study_id} as of {self.as_of}"

    @property
    def has_forecast(self) -> bool:
        return self.state == ForecastState.FORECAST


class RecruitmentPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class RecruitmentPlan(RegulatedRecord):
    """One version of a study's time-phased recruitment plan, kept unchanged once written.

    ``lines`` holds the plan, one line per month, country and (optionally) site:
    ``{"month": "2026-03", "country": "DE", "site": "101" or "", "planned_activations": 1,
    "planned_enrollment": 4}`` — planned enrollment is the new participants of that month, planned
    activations the sites opening in it. A change of plan is a new version with its reason; earlier
    versions stay as they were, so the variance can be read against any of them.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="recruitment_plans")
    plan_version = models.PositiveIntegerField()
    reason = models.TextField(help_text="Why this version of the plan was made.")
    lines = models.JSONField(default=list)

    objects = RecruitmentPlanQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-plan_version"]
        constraints = [
            models.UniqueConstraint(fields=["study", "plan_version"], name="one_plan_version_number")
        ]

    def __str__(self) -> str:
        return f"Recruitment plan version {self.plan_version}"
