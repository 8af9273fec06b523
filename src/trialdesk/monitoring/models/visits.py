"""Monitoring visits: scheduled, confirmed to the site, conducted (on site, remote or as a central
review), with the travel an on-site visit took and its carbon cost."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from trialdesk.core.models import RegulatedRecord, RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.core.scoping import scope_filter
from trialdesk.monitoring.models.choices import (
    MonitoringModality,
    MonitoringVisitStatus,
    MonitoringVisitType,
    TravelMode,
)

NOT_THE_SITES_CRA = "This person is not a monitor of this site: a visit is conducted by a CRA assigned to it."


class MonitoringVisitQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Visits at a site are known to its staff too: they receive the CRA."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class MonitoringVisit(RegulatedRecord):
    """A monitoring visit to one site: its type and modality, when it is planned, confirmed (the
    confirmation letter) and conducted, who conducts it, and what its travel cost."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="monitoring_visits"
    )
    visit_type = models.CharField(max_length=16, choices=MonitoringVisitType.choices)
    modality = models.CharField(
        max_length=8, choices=MonitoringModality.choices, default=MonitoringModality.ON_SITE
    )
    status = models.CharField(
        max_length=12, choices=MonitoringVisitStatus.choices, default=MonitoringVisitStatus.PLANNED
    )
    cra = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="CRA",
    )
    planned_on = models.DateField("planned date")
    confirmed_on = models.DateField("confirmation letter sent", null=True, blank=True)
    conducted_on = models.DateField("visit date", null=True, blank=True)
    conducted_end_on = models.DateField("last day of the visit", null=True, blank=True)
    purpose = models.TextField(blank=True, help_text="The agenda; for a for-cause visit, its cause.")
    signal = models.ForeignKey(
        "monitoring.Signal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        editable=False,
    )
    travel_mode = models.CharField(max_length=8, choices=TravelMode.choices, blank=True)
    travel_distance_km = models.DecimalField(
        "distance one way (km)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(40_000)],
        help_text="Empty: from the site's and the CRA's geo points (the site's monitoring set-up).",
    )
    round_trip = models.BooleanField(default=True)
    travel_days = models.DecimalField(
        max_digits=4, decimal_places=1, default=0, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    # Worked out when the visit is conducted (and again when its travel changes), so a report keeps the
    # figure of the factors in force at the time.
    travel_km = models.DecimalField(max_digits=9, decimal_places=1, null=True, blank=True, editable=False)
    kg_co2e = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True, editable=False)
    carbon_source = models.CharField(max_length=300, blank=True, editable=False)

    objects = MonitoringVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-planned_on", "-id"]
        indexes = [
            models.Index(fields=["study_site", "status", "visit_type"]),
            models.Index(fields=["study", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} {self.planned_on:%Y-%m-%d}"

    @property
    def visit_on(self):
        """The day the visit took place (else the day it is planned)."""
        return self.conducted_on or self.planned_on

    @property
    def is_on_site(self) -> bool:
        return self.modality == MonitoringModality.ON_SITE

    def clean(self) -> None:
        errors = {}
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = "This site belongs to another study."
        if self.cra_id and self.study_site_id:
            cra_of_site = RoleAssignment.objects.filter(
                user_id=self.cra_id, study_site_id=self.study_site_id, role=Role.MONITOR
            )
            if not cra_of_site.exists():
                errors["cra"] = NOT_THE_SITES_CRA
        if not self.cra_id:
            errors["cra"] = "Choose the CRA who conducts the visit."
        errors.update(self._date_problems())
        if errors:
            raise ValidationError(errors)

    def _date_problems(self) -> dict:
        from trialdesk.monitoring.rules import visits as rules

        today = self.study_site.local_today() if self.study_site_id else None
        return rules.visit_date_problems(
            status=self.status,
            conducted_on=self.conducted_on,
            conducted_end_on=self.conducted_end_on,
            confirmed_on=self.confirmed_on,
            today=today,
        )
