"""The monitoring plan of a study (versioned: a change is a new version) with its rules per site risk
tier, and each site's monitoring set-up: its CRA and backup, risk tier set by hand, and travel points."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trialdesk.core.models import RegulatedRecord, RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.monitoring.models.choices import Tier, TierModality, TravelMode
from trialdesk.monitoring.scoping import sponsor_side


def _between(low: int, high: int) -> list:
    return [MinValueValidator(low), MaxValueValidator(high)]


PERCENT = _between(0, 100)


class MonitoringPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study"))


class MonitoringPlan(RegulatedRecord):
    """One version of a study's monitoring plan. Versions are never edited: the CRM's change is a new
    version, whose reason is on the audit trail; the newest version is the plan in force."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="monitoring_plans")
    number = models.PositiveIntegerField(editable=False)
    effective_on = models.DateField("in force from")
    first_imv_weeks = models.PositiveSmallIntegerField(
        "first IMV within (weeks)",
        default=6,
        validators=_between(1, 52),
        help_text="Weeks after the site's first participant is enrolled.",
    )
    cov_within_days = models.PositiveSmallIntegerField(
        "COV within (days)",
        default=30,
        validators=_between(1, 365),
        help_text="Days after the site's last participant's last visit.",
    )
    qualification_required = models.BooleanField(
        "qualification visit required", default=True, help_text="A pre-study visit before a site is selected."
    )
    report_due_working_days = models.PositiveSmallIntegerField(
        "report due (working days after the visit)", default=10, validators=_between(1, 60)
    )
    approval_due_working_days = models.PositiveSmallIntegerField(
        "CRM review due (working days after submission)", default=5, validators=_between(1, 60)
    )
    escalation_days = models.PositiveSmallIntegerField(
        "escalate action items overdue by (days)",
        default=0,
        validators=_between(0, 365),
        help_text="0: an action item goes to the CRM as soon as it is overdue.",
    )
    for_cause_within_days = models.PositiveSmallIntegerField(
        "for-cause visit within (days)", default=14, validators=_between(1, 180)
    )
    signal_triage_days = models.PositiveSmallIntegerField(
        "triage signals within (days)", default=5, validators=_between(1, 60)
    )
    primary_endpoint_visits = models.CharField(
        "primary-endpoint visits",
        max_length=200,
        blank=True,
        help_text="Codes of the schedule's visits that collect the primary endpoint, comma-separated "
        "(e.g. W12, W24); the missed primary-endpoint QTL counts these.",
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = MonitoringPlanQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="unique_monitoring_plan_version")
        ]

    def __str__(self) -> str:
        return f"Monitoring plan v{self.number}"

    @property
    def primary_endpoint_codes(self) -> list[str]:
        return [code.strip() for code in self.primary_endpoint_visits.split(",") if code.strip()]


class TierRuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="plan__study"))


class TierRule(RegulatedRecord):
    """How sites of one risk tier are monitored under a plan version: how often, how, and how much of
    their data is source-verified (SDV) and reviewed (SDR)."""

    plan = models.ForeignKey(MonitoringPlan, on_delete=models.CASCADE, related_name="tier_rules")
    tier = models.CharField(max_length=8, choices=Tier.choices)
    interval_days = models.PositiveSmallIntegerField(
        "days between visits", validators=_between(7, 365), help_text="From one interim visit to the next."
    )
    modality = models.CharField(max_length=12, choices=TierModality.choices)
    remote_allowed = models.BooleanField(
        "remote instead of on site allowed", default=True, help_text="Whether an interim visit may be remote."
    )
    sdv_percent = models.PositiveSmallIntegerField("SDV target (%)", validators=PERCENT)
    sdr_percent = models.PositiveSmallIntegerField("SDR target (%)", validators=PERCENT)
    critical_sdv_percent = models.PositiveSmallIntegerField(
        "critical data SDV target (%)",
        validators=PERCENT,
        help_text="Consent, eligibility, primary endpoint and serious adverse events.",
    )

    objects = TierRuleQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "tier"]
        constraints = [models.UniqueConstraint(fields=["plan", "tier"], name="unique_tier_rule_per_plan")]

    def __str__(self) -> str:
        return f"{self.get_tier_display()} risk: every {self.interval_days} days"

    def audit_study_id(self) -> int:
        return self.plan.study_id


class SiteMonitoringQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(sponsor_side(user, study_path="study", site_path="study_site"))


def _holds_monitor_role(user_id: int, study_site_id: int) -> bool:
    return RoleAssignment.objects.filter(
        user_id=user_id, study_site_id=study_site_id, role=Role.MONITOR
    ).exists()


class SiteMonitoring(RegulatedRecord):
    """A study site's monitoring set-up: its CRA and backup CRA (each a monitor of the site), a risk
    tier the CRM sets by hand (else the tier comes from the site's KRI flags and open issues), and where
    the site and the CRA's home base are, for the travel to on-site visits."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.OneToOneField(
        "sites.StudySite", on_delete=models.PROTECT, related_name="monitoring_setup"
    )
    cra = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="CRA",
    )
    backup_cra = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="backup CRA",
    )
    tier_override = models.CharField(
        "risk tier set by the CRM",
        max_length=8,
        choices=Tier.choices,
        blank=True,
        help_text="Empty: the tier follows the site's KRI flags and open issues.",
    )
    site_latitude = models.FloatField(null=True, blank=True, validators=_between(-90, 90))
    site_longitude = models.FloatField(null=True, blank=True, validators=_between(-180, 180))
    cra_base = models.CharField("CRA's home base", max_length=200, blank=True)
    cra_base_latitude = models.FloatField(
        "home base latitude", null=True, blank=True, validators=_between(-90, 90)
    )
    cra_base_longitude = models.FloatField(
        "home base longitude", null=True, blank=True, validators=_between(-180, 180)
    )
    travel_mode = models.CharField(max_length=8, choices=TravelMode.choices, default=TravelMode.CAR)
    typed_distance_km = models.DecimalField(
        "distance one way (km)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(40_000)],
        help_text="Overrides the great-circle distance from the geo points.",
    )

    objects = SiteMonitoringQuerySet.as_manager()

    class Meta:
        ordering = ["study", "study_site"]

    def __str__(self) -> str:
        return f"Monitoring set-up of {self.study_site}"

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        for field in ("cra", "backup_cra"):
            user_id = getattr(self, f"{field}_id")
            if user_id and self.study_site_id and not _holds_monitor_role(user_id, self.study_site_id):
                errors[field] = "Choose a monitor of this site (give them the monitor role on the Team tab)."
        if self.cra_id and self.cra_id == self.backup_cra_id:
            errors["backup_cra"] = "The backup CRA must be someone other than the CRA."
        for prefix in ("site", "cra_base"):
            latitude, longitude = getattr(self, f"{prefix}_latitude"), getattr(self, f"{prefix}_longitude")
            if (latitude is None) != (longitude is None):
                errors[f"{prefix}_longitude" if latitude is not None else f"{prefix}_latitude"] = (
                    "Give both latitude and longitude, or neither."
                )
        if errors:
            raise ValidationError(errors)

    @property
    def site_point(self) -> tuple[float, float] | None:
        return None if self.site_latitude is None else (self.site_latitude, self.site_longitude)

    @property
    def base_point(self) -> tuple[float, float] | None:
        return None if self.cra_base_latitude is None else (self.cra_base_latitude, self.cra_base_longitude)
