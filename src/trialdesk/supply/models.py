"""Investigational product (IP): products, kit types (and the arm each holds, concealed), lots, depots,
kits and their states, shipments (depot → site, depot or site → a participant's home), temperature
excursions and their decisions, dispensing to participants with returns, and destruction records."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext

from trialdesk.core.models import RegulatedRecord
from trialdesk.core.scoping import scope_filter


class StudyScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Study-wide supply records (products, kit types, lots, depots): everyone on the study."""
        return self.filter(scope_filter(user, study_path="study"))


class SiteScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Kits, shipments, excursions, destructions: the study's people, and a site's staff for records of
        their own site (a record at a depot has no site and is seen by everyone on the study)."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site"))


class DispensingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Which participant got which kit is subject-level: sponsor viewers and DPOs see none."""
        return self.filter(scope_filter(user, study_path="study", site_path="study_site", subject_level=True))


class Product(RegulatedRecord):
    """An investigational medicinal product of a study (blinded products share one name across arms)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_products")
    code = models.CharField(max_length=20, help_text="e.g. ONC-IMP")
    name = models.CharField(
        max_length=200, help_text="As labelled, e.g. 'Study drug 10 mg tablets (blinded)'."
    )
    storage_min_c = models.DecimalField("storage from (°C)", max_digits=5, decimal_places=1)
    storage_max_c = models.DecimalField("storage to (°C)", max_digits=5, decimal_places=1)

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_ip_product_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.storage_min_c is not None and self.storage_max_c is not None:
            if self.storage_min_c > self.storage_max_c:
                raise ValidationError(
                    {"storage_max_c": gettext("The upper storage limit is below the lower one.")}
                )


class KitType(RegulatedRecord):
    """A kind of kit (e.g. a 4-week bottle) and the arm it treats. The arm is concealed: only readers who
    see allocations (`randomization.concealment.sees_allocations`) see it; the trail masks it too."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="kit_types")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="kit_types")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    units_per_kit = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    arm = models.ForeignKey(
        "studies.Arm", null=True, blank=True, on_delete=models.PROTECT, related_name="kit_types"
    )

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="unique_kit_type_code")]

    def __str__(self) -> str:
        return f"{self.code}"  # never the arm: this is the audit event's record name

    def clean(self) -> None:
        if self.product_id and self.study_id and self.product.study_id != self.study_id:
            raise ValidationError({"product": gettext("The product is not a product of this study.")})
        if self.arm_id and self.study_id and self.arm.study_id != self.study_id:
            raise ValidationError({"arm": gettext("The arm is not an arm of this study.")})


class VisitDispensing(RegulatedRecord):
    """How many kits a visit of the schedule dispenses (the supply forecast reads these)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="visit_dispensings")
    visit_definition = models.OneToOneField(
        "visits.VisitDefinition", on_delete=models.PROTECT, related_name="dispensing"
    )
    kits = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1)])

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "visit_definition__order"]

    def __str__(self) -> str:
        return f"{self.kits} kit(s) at {self.visit_definition.code}"


class Lot(RegulatedRecord):
    """A manufactured lot of a product, with its expiry and storage range."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_lots")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField("lot number", max_length=40)
    expires_on = models.DateField("expiry date")
    storage_min_c = models.DecimalField("storage from (°C)", max_digits=5, decimal_places=1)
    storage_max_c = models.DecimalField("storage to (°C)", max_digits=5, decimal_places=1)

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "expires_on", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_ip_lot_number")]

    def __str__(self) -> str:
        return f"Lot {self.number}"

    def clean(self) -> None:
        if self.product_id and self.study_id and self.product.study_id != self.study_id:
            raise ValidationError({"product": gettext("The product is not a product of this study.")})
        if self.storage_min_c is not None and self.storage_max_c is not None:
            if self.storage_min_c > self.storage_max_c:
                raise ValidationError(
                    {"storage_max_c": gettext("The upper storage limit is below the lower one.")}
                )


class Depot(RegulatedRecord):
    """A depot that stores the study's kits and ships them to sites and participants."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="depots")
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2, e.g. DE.")

    objects = StudyScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "name"]
        constraints = [models.UniqueConstraint(fields=["study", "name"], name="unique_depot_name")]

    def __str__(self) -> str:
        return self.name


class ResupplyPlan(RegulatedRecord):
    """The study's resupply policy: the default lead time of a shipment (depot → site) and the review
    period between two resupply decisions; the forecast's suggested shipment covers lead time + review
    period (rules.DEFAULT_LEAD_TIME_DAYS and rules.DEFAULT_REVIEW_PERIOD_DAYS when none is set)."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="resupply_plan")
    lead_time_days = models.PositiveSmallIntegerField("lead time (days)", validators=[MaxValueValidator(365)])
    review_period_days = models.PositiveSmallIntegerField(
        "review period (days)", validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    objects = StudyScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"lead time {self.lead_time_days} d, review every {self.review_period_days} d"


class ShippingLane(RegulatedRecord):
    """How long a shipment from one depot takes to reach one site (overrides the study's lead time)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="shipping_lanes")
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="lanes")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="shipping_lanes")
    lead_time_days = models.PositiveSmallIntegerField("lead time (days)", validators=[MaxValueValidator(365)])

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "study_site", "depot"]
        constraints = [models.UniqueConstraint(fields=["depot", "study_site"], name="unique_shipping_lane")]

    def __str__(self) -> str:
        return f"{self.depot} → {self.study_site}: {self.lead_time_days} d"


class KitStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    IN_TRANSIT = "in_transit", "In transit"
    QUARANTINED = "quarantined", "Quarantined"
    DISPENSED = "dispensed", "Dispensed"
    RETURNED = "returned", "Returned"
    DESTROYED = "destroyed", "Destroyed"
    EXPIRED = "expired", "Expired"
    LOST = "lost", "Lost in transit"


class ShipmentStatus(models.TextChoices):
    SHIPPED = "shipped", "Shipped"
    RECEIVED = "received", "Received"
    CANCELLED = "cancelled", "Cancelled"


class Shipment(RegulatedRecord):
    """Kits sent from a depot to a site, or from a depot or a site to a participant's home (DCT). Its
    `study_site` is the site it goes to, or the participant's site, so that site's staff see it."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_shipments")
    number = models.CharField(max_length=30, help_text="e.g. SHP-0007")
    from_depot = models.ForeignKey(
        Depot, null=True, blank=True, on_delete=models.PROTECT, related_name="shipments"
    )
    from_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="ip_shipments_out"
    )
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="ip_shipments")
    to_participant = models.ForeignKey(
        "subjects.Participant", null=True, blank=True, on_delete=models.PROTECT, related_name="ip_shipments"
    )
    courier = models.CharField(max_length=100, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.SHIPPED)
    shipped_on = models.DateField()
    kits_shipped = models.PositiveIntegerField(default=0)
    received_on = models.DateField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kits_received = models.PositiveIntegerField(null=True, blank=True)
    temperature_min_c = models.DecimalField(
        "lowest temperature logged (°C)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    temperature_max_c = models.DecimalField(
        "highest temperature logged (°C)", max_digits=5, decimal_places=1, null=True, blank=True
    )
    temperature_log_name = models.CharField("temperature log file", max_length=200, blank=True)
    temperature_log = models.TextField(blank=True, help_text="The logger's CSV as uploaded.")

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-shipped_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_ip_shipment_number")]
        indexes = [models.Index(fields=["study", "status"], name="ip_shipment_status_idx")]

    def __str__(self) -> str:
        return f"Shipment {self.number}"

    @property
    def direct_to_participant(self) -> bool:
        return self.to_participant_id is not None

    def clean(self) -> None:
        if bool(self.from_depot_id) == bool(self.from_site_id):
            raise ValidationError({"from_depot": gettext("A shipment leaves from one depot or one site.")})
        if self.from_site_id and not self.to_participant_id:
            raise ValidationError({"to_participant": gettext("A site ships only to a participant's home.")})


class Kit(RegulatedRecord):
    """One numbered kit: where it is (a depot, in transit, a site) and its state. Its kit type (and so its
    arm) is shown only to unblinded readers; blinded users see its number."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_kits")
    kit_type = models.ForeignKey(KitType, on_delete=models.PROTECT, related_name="kits")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="kits")
    number = models.CharField("kit number", max_length=30)
    status = models.CharField(max_length=16, choices=KitStatus.choices, default=KitStatus.AVAILABLE)
    depot = models.ForeignKey(Depot, null=True, blank=True, on_delete=models.PROTECT, related_name="kits")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="ip_kits"
    )
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="kits"
    )
    excursion = models.ForeignKey(
        "Excursion", null=True, blank=True, on_delete=models.PROTECT, related_name="kits"
    )
    destruction = models.ForeignKey(
        "Destruction", null=True, blank=True, on_delete=models.PROTECT, related_name="kits"
    )

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_ip_kit_number")]
        indexes = [models.Index(fields=["study", "study_site", "status"], name="ip_kit_site_status_idx")]

    def __str__(self) -> str:
        return f"Kit {self.number}"


class ExcursionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    RELEASED = "released", "Released"
    DESTROYED = "destroyed", "Destroyed"


class Excursion(RegulatedRecord):
    """A temperature excursion of a shipment or a site's storage: its kits are quarantined until a named
    person decides to release them or have them destroyed."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_excursions")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="ip_excursions"
    )
    shipment = models.ForeignKey(
        Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="excursions"
    )
    detected_on = models.DateField()
    temperature_min_c = models.DecimalField("lowest (°C)", max_digits=5, decimal_places=1)
    temperature_max_c = models.DecimalField("highest (°C)", max_digits=5, decimal_places=1)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ExcursionStatus.choices, default=ExcursionStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-detected_on", "-id"]

    def __str__(self) -> str:
        where = f" of {self.shipment}" if self.shipment_id else ""
        return f"Temperature excursion{where} on {self.detected_on}"


class Destruction(RegulatedRecord):
    """A destruction record: which kits were destroyed, where, when, how and witnessed by whom."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_destructions")
    study_site = models.ForeignKey(
        "sites.StudySite", null=True, blank=True, on_delete=models.PROTECT, related_name="ip_destructions"
    )
    destroyed_on = models.DateField()
    method = models.CharField(max_length=200, help_text="e.g. incineration by the site's pharmacy")
    witness = models.CharField(max_length=200, blank=True)
    reason = models.TextField()

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-destroyed_on", "-id"]

    def __str__(self) -> str:
        return f"Destruction on {self.destroyed_on}"


class Dispensing(RegulatedRecord):
    """A kit dispensed to a participant (at a visit or shipped to their home), and what came back."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ip_dispensings")
    study_site = models.ForeignKey("sites.StudySite", on_delete=models.PROTECT, related_name="ip_dispensings")
    participant = models.ForeignKey(
        "subjects.Participant", on_delete=models.PROTECT, related_name="ip_dispensings"
    )
    kit = models.OneToOneField(Kit, on_delete=models.PROTECT, related_name="dispensing")
    scheduled_visit = models.ForeignKey(
        "visits.ScheduledVisit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispensed_on = models.DateField()
    dispensed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_on = models.DateField(null=True, blank=True)
    units_returned = models.PositiveIntegerField(null=True, blank=True)
    units_expected_taken = models.PositiveIntegerField(
        null=True, blank=True, help_text="Units the participant should have taken by the return."
    )

    objects = DispensingQuerySet.as_manager()

    class Meta:
        ordering = ["study", "-dispensed_on", "-id"]

    def __str__(self) -> str:
        return f"Dispensing of {self.kit}"
