"""Institutions (where research happens) and study sites (an institution taking part in a study)."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import is_administrator, role_facts, scope_filter
from trialdesk.sites import rules


class InstitutionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Institutions are a shared directory for those who set up studies; others see their own sites'."""
        if not user.is_authenticated:
            return self.none()
        if is_administrator(user) or role_facts(user).has_role_anywhere("crm"):
            return self.all()
        from trialdesk.sites.models import StudySite

        return self.filter(pk__in=StudySite.objects.visible_to(user).values("institution_id"))


class Institution(RegulatedRecord):
    """A hospital, clinic or research centre, with the time zone its deadlines are computed in."""

    name = models.CharField(max_length=200)
    department = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state / region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField("country (ISO 3166-1 alpha-2)", max_length=2)
    time_zone = models.CharField("time zone (IANA)", max_length=64)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "city", "country", "name"],
                name="unique_institution",
                violation_error_message="This institution is already in the directory.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    def audit_study_id(self) -> None:
        return None

    def clean_fields(self, exclude=None) -> None:
        self.country = (self.country or "").strip().upper()
        self.time_zone = (self.time_zone or "").strip()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if problem := rules.country_problem(self.country):
            errors["country"] = problem
        if problem := rules.time_zone_problem(self.time_zone):
            errors["time_zone"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def country_name(self) -> str:
        return rules.country_name(self.country)


class SiteStatus(models.TextChoices):
    IDENTIFIED = "identified", "Identified"
    UNDER_FEASIBILITY = "under_feasibility", "Under feasibility"
    SELECTED = "selected", "Selected"
    START_UP = "start_up", "Start-up"
    ACTIVATED = "activated", "Activated"
    ENROLLING = "enrolling", "Enrolling"
    ENROLLMENT_CLOSED = "enrollment_closed", "Enrollment closed"
    CLOSED = "closed", "Closed"
    ON_HOLD = "on_hold", "On hold"
    TERMINATED = "terminated", "Terminated"


@functools.cache
def zone_named(name: str) -> ZoneInfo:
    """The time zone of that name, read from the tz database once per process (ZoneInfo keeps only the
    last few it read: a list of sites across many zones read them again and again)."""
    return ZoneInfo(name)


class StudySiteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="pk"))


class StudySite(RegulatedRecord):
    """An institution taking part in a study, under a principal investigator, with its own target."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="sites")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="study_sites")
    site_number = models.CharField(max_length=20)
    # The PI's name as written (letters, checklists, exports and the API read it); set from the person
    # when the PI is one of Trialdesk's people, typed only for a PI who is not (yet) a user.
    principal_investigator = models.CharField(max_length=200, blank=True)
    principal_investigator_person = models.ForeignKey(
        "core.User",
        verbose_name="principal investigator (person)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sites_led",
    )
    status = models.CharField(max_length=32, choices=SiteStatus.choices, default=SiteStatus.IDENTIFIED)
    status_before_hold = models.CharField(
        max_length=32, choices=SiteStatus.choices, blank=True, editable=False
    )
    target_enrollment = models.PositiveIntegerField(default=0, validators=[MinValueValidator(0)])
    planned_activation_on = models.DateField("planned activation date", null=True, blank=True)
    activated_on = models.DateField("activation date", null=True, blank=True)

    objects = StudySiteQuerySet.as_manager()

    class Meta:
        ordering = ["study", "site_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "site_number"],
                name="unique_site_number_per_study",
                violation_error_message="This site number is already used in this study.",
            )
        ]
        indexes = [models.Index(fields=["study", "status"])]

    def __str__(self) -> str:
        return gettext("Site %(number)s") % {"number": self.site_number}

    def audit_study_site_id(self) -> int | None:
        return self.pk

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.institution.time_zone)

    def local_today(self) -> dt.date:
        return timezone.now().astimezone(self.zone).date()

    @property
    def is_active(self) -> bool:
        return self.status in rules.ACTIVE_STATUSES
