"""Records of the integrations app: a study's ClinicalTrials.gov record as last imported, its FDAAA facts."""

from django.core.exceptions import ValidationError
from django.db import models

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter


class RegistryRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="study"))


class RegistryRecord(RegulatedRecord):
    """A study's ClinicalTrials.gov record as last imported, and the facts its registry deadlines need.

    The parsed fields are audited like any regulated record; the imported JSON itself and the import's
    bookkeeping live beside it in a RegistrySnapshot.
    """

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="registry_record")
    nct_number = models.CharField("NCT number", max_length=11, unique=True)
    brief_title = models.TextField(blank=True)
    official_title = models.TextField(blank=True)
    overall_status = models.CharField("registry status", max_length=40, blank=True)
    study_type = models.CharField(max_length=40, blank=True)
    phases = models.JSONField(default=list, blank=True)
    lead_sponsor = models.CharField(max_length=300, blank=True)
    collaborators = models.JSONField(default=list, blank=True)
    conditions = models.JSONField(default=list, blank=True)
    interventions = models.JSONField(default=list, blank=True)
    primary_outcomes = models.JSONField(default=list, blank=True)
    secondary_outcomes = models.JSONField(default=list, blank=True)
    eligibility_summary = models.TextField(blank=True)
    enrollment_count = models.PositiveIntegerField(null=True, blank=True)
    enrollment_type = models.CharField(max_length=20, blank=True)
    start_on = models.DateField(null=True, blank=True)
    start_type = models.CharField(max_length=20, blank=True)
    primary_completion_on = models.DateField(null=True, blank=True)
    primary_completion_type = models.CharField(max_length=20, blank=True)
    completion_on = models.DateField(null=True, blank=True)
    completion_type = models.CharField(max_length=20, blank=True)
    first_submitted_on = models.DateField("first submitted to the registry", null=True, blank=True)
    results_first_submitted_on = models.DateField(null=True, blank=True)
    last_update_submitted_on = models.DateField(null=True, blank=True)
    last_update_posted_on = models.DateField(null=True, blank=True)
    is_fda_regulated = models.BooleanField("FDA-regulated drug or device (registry)", null=True, blank=True)
    # Set by the CRM: whether FDAAA 801 applies, and a certification to delay results submission.
    applicable_clinical_trial = models.BooleanField(
        "applicable clinical trial (FDAAA 801)",
        null=True,
        blank=True,
        help_text="Unknown (empty) is read from the registry: an FDA-regulated interventional study "
        "with a US site counts as applicable.",
    )
    delay_certified_on = models.DateField(
        "certification to delay results submitted on",
        null=True,
        blank=True,
        help_text="42 CFR 11.44(b)/(c): results may then be due up to two years later.",
    )
    eu_end_of_trial_on = models.DateField(
        "end of trial in the EU",
        null=True,
        blank=True,
        help_text="Leave empty to use the registry's completion date.",
    )
    eu_results_submitted_on = models.DateField("EU summary of results submitted on", null=True, blank=True)
    # Facts of the FDAAA 801 test (42 CFR 11.22(b)) and of the results deadlines that the registry record
    # may not give: empty is unknown, and shown as such, never guessed.
    under_ind_ide = models.BooleanField("conducted under a US IND or IDE", null=True, blank=True)
    ind_ide_number = models.CharField("IND / IDE number", max_length=20, blank=True)
    us_product_exported = models.BooleanField(
        "a product made in the United States is exported for the study",
        null=True,
        blank=True,
        help_text="Empty: read from the registry record (isUsExport), else unknown.",
    )
    paediatric = models.BooleanField(
        "paediatric trial",
        null=True,
        blank=True,
        help_text="Empty: read from the registry's age groups (CHILD), else unknown. EU results of a "
        "paediatric trial are due within six months.",
    )
    delay_certification = models.CharField(
        "certification to delay results",
        max_length=20,
        blank=True,
        choices=[
            ("", "Not said"),
            ("initial_approval", "Seeking initial approval, licensure or clearance (42 CFR 11.44(c))"),
            ("new_use", "Seeking approval of a new use (42 CFR 11.44(b))"),
        ],
    )
    product_approved_on = models.DateField(
        "product (or new use) approved, licensed or cleared by the FDA on",
        null=True,
        blank=True,
        help_text="With a certification to delay: results are due 30 days later (at most 2 years after the "
        "certification).",
    )

    objects = RegistryRecordQuerySet.as_manager()

    class Meta:
        ordering = ["nct_number"]

    def __str__(self) -> str:
        return f"Registry record {self.nct_number}"

    def clean(self) -> None:
        errors = {}
        if self.ind_ide_number.strip() and self.under_ind_ide is False:
            errors["ind_ide_number"] = "An IND or IDE number is given: the study is conducted under it."
        if self.product_approved_on and not self.delay_certified_on:
            errors["product_approved_on"] = (
                "The approval date sets the results deadline only with a certification to delay results."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def raw(self) -> dict:
        snapshot = getattr(self, "snapshot", None) if self.pk else None
        return snapshot.raw if snapshot else {}

    @property
    def imported_at(self):
        snapshot = getattr(self, "snapshot", None) if self.pk else None
        return snapshot.imported_at if snapshot else None

    @property
    def location_sites(self) -> dict:
        snapshot = getattr(self, "snapshot", None) if self.pk else None
        return snapshot.location_sites if snapshot else {}


class RegistrySnapshot(models.Model):
    """The public ClinicalTrials.gov JSON last imported for a study, and what that import wrote.

    Not a regulated record: it is a copy of a public registry document, replaced at each import (the
    audited RegistryRecord and the audited studies, sites and milestones carry the history).
    `imported_values` holds the values the import set on Trialdesk's records, so that a re-import tells a
    value changed in the registry from one edited in Trialdesk since (a local edit is kept and reported,
    never silently overwritten). `location_sites` maps each registry location's key to its study site id.
    """

    record = models.OneToOneField(RegistryRecord, on_delete=models.CASCADE, related_name="snapshot")
    raw = models.JSONField("imported record", default=dict)
    imported_values = models.JSONField(default=dict)
    location_sites = models.JSONField(default=dict)
    imported_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Snapshot of {self.record.nct_number}"
