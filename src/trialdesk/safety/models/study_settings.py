"""A study's safety settings: sponsor time zone, product type, reference safety information, IRB policies."""

from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.safety.rules import reportable, rulebook


class ProductType(models.TextChoices):
    DRUG = "drug", "Drug"
    BIOLOGIC = "biologic", "Biologic"
    DEVICE = "device", "Device"
    COMBINATION = "combination", "Combination (drug and device: both rule sets)"


class StudySafetySettingsQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class StudySafetySettings(RegulatedRecord):
    """How a study reports safety: the sponsor's country and time zone (no default: a sponsor clock counts in
    the sponsor's zone, and a study without one says so), product type, site → sponsor limit, the
    jurisdictions beyond its sites' countries (e.g. an IND with no US site) and those excluded with a
    reason (an IND-exempt study), and the DSUR birth date (shared by the product's program)."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="safety_settings")
    sponsor_country = models.CharField(
        "sponsor country (ISO 3166-1 alpha-2)",
        max_length=2,
        blank=True,
        help_text="Gives the sponsor's time zone where the country keeps one clock.",
    )
    sponsor_time_zone = models.CharField(
        "sponsor time zone (IANA)",
        max_length=64,
        blank=True,
        help_text="Needed where the sponsor's country has several time zones (e.g. US, CA, AU, BR).",
    )
    product_type = models.CharField(max_length=16, choices=ProductType.choices, default=ProductType.DRUG)
    site_to_sponsor_hours = models.PositiveSmallIntegerField(
        "site → sponsor limit (hours)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="The protocol's limit for reporting a serious event to the sponsor.",
    )
    extra_jurisdictions = models.JSONField(
        default=list, blank=True, help_text="Jurisdictions reported to beyond the sites' countries."
    )
    excluded_jurisdictions = models.JSONField(
        default=list,
        blank=True,
        help_text='Jurisdictions not reported to, each with why: [{"code": "US", "reason": "IND-exempt"}].',
    )
    development_birth_date = models.DateField(
        "development international birth date",
        null=True,
        blank=True,
        help_text="First authorisation of a trial with the product anywhere; DSURs follow its anniversary.",
    )

    objects = StudySafetySettingsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "study safety settings"

    def __str__(self) -> str:
        return f"Safety settings of {self.study}"

    @property
    def effective_time_zone(self) -> str:
        """The sponsor's zone: set, else its country's when the country keeps one clock, else ""."""
        return reportable.sponsor_time_zone(country=self.sponsor_country, zone=self.sponsor_time_zone)

    @property
    def zone(self) -> ZoneInfo:
        """The zone sponsor clocks count in; unknown, the earliest end of day anywhere (UTC+14), so that no
        deadline is shown later than the law allows while the study's warning asks for the real one."""
        return ZoneInfo(self.effective_time_zone or reportable.EARLIEST_ZONE)

    def excluded_codes(self) -> dict[str, str]:
        return {e["code"]: e["reason"] for e in self.excluded_jurisdictions or [] if isinstance(e, dict)}

    def clean(self) -> None:
        errors = {}
        self.sponsor_country = (self.sponsor_country or "").strip().upper()
        self.sponsor_time_zone = (self.sponsor_time_zone or "").strip()
        if self.sponsor_time_zone and (problem := reportable.time_zone_problem(self.sponsor_time_zone)):
            errors["sponsor_time_zone"] = problem
        if self.sponsor_country and not rulebook.is_country(self.sponsor_country):
            errors["sponsor_country"] = gettext("Give an ISO 3166-1 alpha-2 country code, e.g. US.")
        if problem := rulebook.excluded_jurisdictions_problem(self.excluded_jurisdictions):
            errors["excluded_jurisdictions"] = problem
        if not isinstance(self.extra_jurisdictions, list):
            errors["extra_jurisdictions"] = gettext("Give a list of jurisdiction codes.")
        else:
            unknown = [c for c in self.extra_jurisdictions if c not in rulebook.JURISDICTIONS]
            if unknown:
                errors["extra_jurisdictions"] = gettext(
                    "Unknown jurisdiction %(0)s; use %(jurisdictions)s."
                ) % {"0": repr(unknown[0]), "jurisdictions": ", ".join(rulebook.JURISDICTIONS)}
        if errors:
            raise ValidationError(errors)


class ProtocolExemptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class ProtocolReportingExemption(RegulatedRecord):
    """A kind of serious adverse event the protocol exempts from immediate (24-hour) reporting to the
    sponsor, with the protocol section that says so and the limit it sets instead (Regulation (EU)
    No 536/2014 art. 41(2); SI 2004/1031 reg. 32(4))."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="reporting_exemptions")
    kind_of_event = models.CharField(max_length=200, help_text="e.g. Hospitalisation for a planned procedure")
    protocol_section = models.CharField(max_length=60, help_text="e.g. section 10.3.2")
    site_to_sponsor_hours = models.PositiveSmallIntegerField(
        "site → sponsor limit (hours)", validators=[MinValueValidator(1), MaxValueValidator(8760)]
    )

    objects = ProtocolExemptionQuerySet.as_manager()

    class Meta:
        ordering = ["study", "protocol_section", "id"]

    def __str__(self) -> str:
        return f"{self.kind_of_event} (protocol {self.protocol_section})"

    def clean(self) -> None:
        if not (self.protocol_section or "").strip():
            raise ValidationError(
                {"protocol_section": gettext("Name the protocol section that exempts this kind of event.")}
            )


class ReferenceSafetyInformationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class ReferenceSafetyInformation(RegulatedRecord):
    """A version of the study's reference safety information (investigator's brochure section or SmPC)
    against which the expectedness of an adverse reaction is judged."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="safety_references")
    label = models.CharField("version", max_length=40, help_text="e.g. IB v7.0 section 6.4")
    effective_on = models.DateField()
    note = models.TextField(blank=True)

    objects = ReferenceSafetyInformationQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-effective_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "label"],
                name="unique_rsi_version_per_study",
                violation_error_message="This study already has this reference safety information version.",
            )
        ]

    def __str__(self) -> str:
        return self.label


class CommitteePolicyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class CommitteeReportingPolicy(RegulatedRecord):
    """An ethics committee's or IRB's reporting policy in a study (at one site, or at all of them):
    which events it wants reported, within how many calendar or working days of the site's awareness."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="committee_policies")
    study_site = models.ForeignKey(
        "sites.StudySite",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="committee_policies",
        help_text="Empty: the policy applies at every site of the study.",
    )
    name = models.CharField(max_length=60, help_text="Short name, used as the jurisdiction IRB:<name>.")
    committee = models.CharField(max_length=200)
    event_kind = models.CharField(
        max_length=32, choices=[(k, k.replace("_", " ").capitalize()) for k in rulebook.COMMITTEE_EVENT_KINDS]
    )
    clock = models.CharField(
        max_length=16, choices=[("calendar", "Calendar days"), ("working", "Working days")]
    )
    length = models.PositiveSmallIntegerField("days")
    holiday_calendar = models.CharField(
        max_length=16, help_text="Country (ISO code) whose public holidays working days skip."
    )
    citation = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)

    objects = CommitteePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["study", "name"]
        verbose_name_plural = "committee reporting policies"
        constraints = [
            models.UniqueConstraint(
                fields=["study", "name"],
                name="unique_committee_policy_name_per_study",
                violation_error_message="This study already has a committee policy of this name.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.committee} ({self.name})"

    def clean(self) -> None:
        errors = rulebook.committee_policy_problems(
            name=self.name,
            event_kind=self.event_kind,
            clock=self.clock,
            length=self.length or 0,
            holiday_calendar=self.holiday_calendar,
        )
        if self.study_site_id and self.study_id and self.study_site.study_id != self.study_id:
            errors["study_site"] = gettext("This site belongs to another study.")
        if errors:
            raise ValidationError(errors)

    def as_rule_policy(self) -> rulebook.CommitteePolicy:
        return rulebook.CommitteePolicy(
            name=self.name,
            committee=self.committee,
            event_kind=self.event_kind,
            clock=self.clock,
            length=self.length,
            holiday_calendar=self.holiday_calendar,
            citation=self.citation,
        )
