"""Biological samples: the study's central laboratories and sample types, samples collected at
participants' visits, the import and export permits per country pair, and shipments of samples to a
laboratory with their temperature log, chain of custody and the laboratory's receipt."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter
from trialdesk.samples import rules
from trialdesk.sites.rules import country_problem


class StudyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Study-wide records (laboratories, sample types, permits): everyone on the study."""
        return self.filter(scope_filter(user, study_path="study"))


def _clean_country(instance, field: str, errors: dict) -> None:
    value = (getattr(instance, field) or "").strip().upper()
    setattr(instance, field, value)
    if problem := country_problem(value):
        errors[field] = problem


class Laboratory(RegulatedRecord):
    """A central laboratory the study's sites send samples to, and the country it receives them in."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="laboratories")
    name = models.CharField(max_length=200)
    country = models.CharField("country (ISO 3166-1 alpha-2)", max_length=2)
    address = models.TextField(blank=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "laboratories"
        constraints = [models.UniqueConstraint(fields=["study", "name"], name="unique_laboratory_per_study")]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _clean_country(self, "country", errors)
        if errors:
            raise ValidationError(errors)


class SampleType(RegulatedRecord):
    """A kind of sample the protocol collects (serum, whole blood, tissue) and how it must be kept."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="sample_types")
    code = models.CharField(max_length=20, help_text="e.g. SER, WB, FFPE")
    name = models.CharField(max_length=100)
    storage_min_c = models.DecimalField("storage minimum (°C)", max_digits=5, decimal_places=1)
    storage_max_c = models.DecimalField("storage maximum (°C)", max_digits=5, decimal_places=1)
    infectious = models.BooleanField(
        default=False, help_text="Known or suspected to contain an infectious agent (import permits)."
    )

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_sample_type_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if (
            self.storage_min_c is not None
            and self.storage_max_c is not None
            and self.storage_min_c > self.storage_max_c
        ):
            raise ValidationError({"storage_max_c": gettext("The maximum cannot be below the minimum.")})


class SampleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A participant's samples: subject-level, to the study's team and that site's staff."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))

    def countable_by(self, user):
        """The samples `user` may count though perhaps not read (a sponsor viewer's reconciliation)."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class Sample(RegulatedRecord):
    """A sample collected from a participant at a visit: its barcode, type, when and by whom."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="samples")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="samples")
    participant = models.ForeignKey("subjects.Participant", on_delete=models.PROTECT, related_name="samples")
    scheduled_visit = models.ForeignKey(
        "visits.ScheduledVisit", on_delete=models.PROTECT, related_name="samples", verbose_name="visit"
    )
    sample_type = models.ForeignKey(SampleType, on_delete=models.PROTECT, related_name="samples")
    barcode = models.CharField("sample id (barcode)", max_length=60)
    collected_at = models.DateTimeField("collected at")
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="collected by"
    )
    note = models.TextField(blank=True)

    objects = SampleQuerySet.as_manager()

    class Meta:
        ordering = ["-collected_at", "id"]
        constraints = [models.UniqueConstraint(fields=["study", "barcode"], name="unique_sample_barcode")]
        indexes = [models.Index(fields=["study", "study_site"], name="sample_site_idx")]

    def __str__(self) -> str:
        return self.barcode


class PermitDirection(models.TextChoices):
    EXPORT = rules.EXPORT, "Export"
    IMPORT = rules.IMPORT, "Import"


class Permit(RegulatedRecord):
    """An export or import permit for the study's samples between two countries: who issued it, its
    number, the days it is valid and what it covers (sample types; empty: all of the study's)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="sample_permits")
    direction = models.CharField(max_length=8, choices=PermitDirection.choices)
    from_country = models.CharField("from (export country)", max_length=2)
    to_country = models.CharField("to (import country)", max_length=2)
    authority = models.CharField("issuing authority", max_length=200)
    number = models.CharField("permit number", max_length=100)
    valid_from = models.DateField("valid from")
    valid_until = models.DateField("valid until")
    sample_type_codes = models.JSONField(
        "sample types covered", default=list, blank=True, help_text="Codes; empty: every sample type."
    )
    covers = models.TextField("what it covers", blank=True, help_text="The permit's own words.")

    objects = StudyQuerySet.as_manager()

    class Meta:
        ordering = ["valid_until", "id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "authority", "number"], name="unique_sample_permit")
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.from_country}→{self.to_country} {self.number}"

    def facts(self) -> rules.PermitFacts:
        return rules.PermitFacts(
            id=self.pk,
            direction=self.direction,
            from_country=self.from_country,
            to_country=self.to_country,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            sample_type_codes=tuple(self.sample_type_codes or ()),
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _clean_country(self, "from_country", errors)
        _clean_country(self, "to_country", errors)
        if not errors and self.from_country == self.to_country:
            errors["to_country"] = gettext("A permit is for samples crossing a border: give another country.")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = gettext("The permit cannot end before it starts.")
        codes = self.sample_type_codes
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            errors["sample_type_codes"] = gettext('Give sample type codes as a list, e.g. ["SER"].')
        if errors:
            raise ValidationError(errors)


class ShipmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A site's shipments: the study's team and that site's staff. The shipment itself names no
        participant (its samples are read through Sample's subject-level scope)."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class ShipmentStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", "In transit"
    RECEIVED = "received", "Received"


class Shipment(RegulatedRecord):
    """Samples sent from a site to a laboratory: courier and tracking number, the permits it travels
    under, its temperature log (readings as {"at", "celsius"}) and, once there, the laboratory's receipt."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="sample_shipments")
    study_site = models.ForeignKey(
        "sites.StudySite", on_delete=models.PROTECT, related_name="sample_shipments"
    )
    laboratory = models.ForeignKey(Laboratory, on_delete=models.PROTECT, related_name="shipments")
    number = models.CharField(max_length=20, help_text="The study's reference, e.g. SHP-003.")
    courier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField("courier tracking number", max_length=100)
    shipped_at = models.DateTimeField("shipped at")
    export_permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="export_shipments"
    )
    import_permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="import_shipments"
    )
    temperature_log = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.IN_TRANSIT
    )
    received_at = models.DateTimeField("received at", null=True, blank=True)
    received_by = models.CharField("received by (at the laboratory)", max_length=200, blank=True)
    receipt_condition = models.TextField("condition on receipt", blank=True)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["-shipped_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="unique_sample_shipment_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} to {self.laboratory.name}"

    @property
    def is_received(self) -> bool:
        return self.status == ShipmentStatus.RECEIVED


class ItemCondition(models.TextChoices):
    GOOD = "good", "Good"
    THAWED = "thawed", "Thawed"
    DAMAGED = "damaged", "Damaged or leaking"
    UNLABELLED = "unlabelled", "Label unreadable"


class ShipmentItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(
            scope_filter(
                user, study_path="shipment__study", site_path="shipment__study_site", subject_level=True
            )
        )


class ShipmentItem(RegulatedRecord):
    """A sample in a shipment and, once the laboratory reports, whether it arrived and in what state.
    A sample travels once (`unique`): shipping it twice is refused."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="items")
    sample = models.OneToOneField(Sample, on_delete=models.PROTECT, related_name="shipment_item")
    received = models.BooleanField(null=True, blank=True, help_text="Empty until the laboratory reports.")
    condition = models.CharField(max_length=16, choices=ItemCondition.choices, blank=True)

    objects = ShipmentItemQuerySet.as_manager()

    class Meta:
        ordering = ["shipment", "id"]

    def __str__(self) -> str:
        return f"{self.sample} in {self.shipment.number}"

    def audit_study_id(self) -> int:
        return self.shipment.study_id

    def audit_study_site_id(self) -> int:
        return self.shipment.study_site_id


class CustodyQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope_filter(user, study_path="shipment__study", site_path="shipment__study_site"))


class CustodyTransfer(RegulatedRecord):
    """A hand-over in a shipment's chain of custody: from whom to whom, when and where."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="custody")
    handed_over_at = models.DateTimeField("handed over at")
    from_party = models.CharField("from", max_length=200)
    to_party = models.CharField("to", max_length=200)
    location = models.CharField("where", max_length=200)
    note = models.TextField(blank=True)

    objects = CustodyQuerySet.as_manager()

    class Meta:
        ordering = ["handed_over_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_party} → {self.to_party}"

    def audit_study_id(self) -> int:
        return self.shipment.study_id

    def audit_study_site_id(self) -> int:
        return self.shipment.study_site_id
