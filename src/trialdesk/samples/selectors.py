"""Reads of samples, permits and shipments, always through the reader's scope; the reconciliation of
collected, shipped and received samples per site; and the counts other apps ask for (the close-out
checklist's "samples shipped")."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from trialdesk.core.models import User
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.samples import rules
from trialdesk.samples.models import (
    CustodyTransfer,
    Laboratory,
    Permit,
    Sample,
    SampleType,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
)
from trialdesk.sites.models import StudySite


def unshipped_counts(study) -> dict[int, int]:
    """{study site id: samples collected there and not yet shipped} for every site of `study` with any.

    Not scoped to a reader: callers (the close-out checklist) have already scoped the study and sites,
    and a count names no participant. One query.
    """
    rows = (
        Sample.objects.filter(study=study, shipment_item__isnull=True)
        .values("study_site_id")
        .annotate(count=Count("id"))
        .values_list("study_site_id", "count")
    )
    return dict(rows)


def laboratories_for(user: User, study) -> QuerySet[Laboratory]:
    return Laboratory.objects.visible_to(user).filter(study=study)


def sample_types_for(user: User, study) -> QuerySet[SampleType]:
    return SampleType.objects.visible_to(user).filter(study=study)


def permits_for(user: User, study=None) -> QuerySet[Permit]:
    permits = Permit.objects.visible_to(user).select_related("study")
    return permits.filter(study=study) if study is not None else permits


def samples_for(user: User, study=None, *, study_site=None, waiting: bool = False) -> QuerySet[Sample]:
    """The participants' samples `user` may read (none for subject-blind roles), newest first."""
    samples = Sample.objects.visible_to(user).select_related(
        "study", "study_site", "participant", "scheduled_visit__definition", "sample_type", "collected_by"
    )
    if study is not None:
        samples = samples.filter(study=study)
    if study_site is not None:
        samples = samples.filter(study_site=study_site)
    if waiting:
        samples = samples.filter(shipment_item__isnull=True)
    return samples


def shipments_for(user: User, study=None, *, study_site=None) -> QuerySet[Shipment]:
    """Shipments `user` may see with their sample counts (`sample_count`, `received_count`)."""
    shipments = (
        Shipment.objects.visible_to(user)
        .select_related("study", "study_site__institution", "laboratory", "export_permit", "import_permit")
        .annotate(
            sample_count=Count("items"),
            received_count=Count("items", filter=Q(items__received=True)),
        )
        .order_by("-shipped_at", "-id")
    )
    if study is not None:
        shipments = shipments.filter(study=study)
    if study_site is not None:
        shipments = shipments.filter(study_site=study_site)
    return shipments


def items_for(user: User, shipment: Shipment) -> QuerySet[ShipmentItem]:
    """The samples in a shipment, for those who may read participants' samples (empty for others)."""
    return (
        ShipmentItem.objects.visible_to(user)
        .filter(shipment=shipment)
        .select_related("sample__participant", "sample__sample_type")
    )


def custody_for(user: User, shipment: Shipment) -> QuerySet[CustodyTransfer]:
    return CustodyTransfer.objects.visible_to(user).filter(shipment=shipment)


def shipment_excursions(shipment: Shipment) -> tuple[tuple | None, list[dict]]:
    """The storage range of the shipment's samples and the readings of its log outside it."""
    ranges = (
        SampleType.objects.filter(samples__shipment_item__shipment=shipment)
        .distinct()
        .values_list("storage_min_c", "storage_max_c")
    )
    allowed = rules.storage_range(ranges)
    if allowed is None:
        return None, []
    return allowed, rules.excursions(shipment.temperature_log or [], low=allowed[0], high=allowed[1])


@dataclass(frozen=True)
class Discrepancy:
    barcode: str
    participant_number: str
    shipment_number: str
    state: str

    @property
    def label(self) -> str:
        return rules.DISCREPANCY_LABELS.get(self.state, self.state)


@dataclass(frozen=True)
class SiteRow:
    """One site's line of the reconciliation (discrepancies only for readers of participants' samples)."""

    study_site: StudySite
    counts: rules.SiteReconciliation
    discrepancies: tuple[Discrepancy, ...]


@dataclass(frozen=True)
class Reconciliation:
    rows: tuple[SiteRow, ...]
    subject_hidden: bool

    @property
    def discrepancy_count(self) -> int:
        return sum(len(row.counts.discrepancies) for row in self.rows)


def reconciliation(user: User, study, *, study_site=None) -> Reconciliation:
    """Collected vs shipped vs received per site the reader sees (two queries). A sponsor viewer gets the
    counts (aggregates) but no barcode or participant."""
    sites = StudySite.objects.visible_to(user).filter(study=study).select_related("institution")
    if study_site is not None:
        sites = sites.filter(pk=study_site.pk)
    sites = list(sites.order_by("site_number"))
    hidden = not can_see_subject_level(user, study.pk)
    rows = Sample.objects.countable_by(user).filter(study=study, study_site__in=sites)
    facts = rows.values_list(
        "study_site_id",
        "barcode",
        "participant__number",
        "shipment_item__id",
        "shipment_item__shipment__number",
        "shipment_item__shipment__status",
        "shipment_item__received",
        "shipment_item__condition",
    )
    states = []
    details = {}
    for site_id, barcode, number, item_id, shipment_number, status, received, condition in facts:
        state = rules.sample_state(
            shipped=item_id is not None,
            shipment_received=status == ShipmentStatus.RECEIVED,
            received=received,
            condition=condition or "",
        )
        states.append((site_id, barcode, state))
        details[barcode] = (number, shipment_number or "")
    counted = rules.reconcile(states)
    found = []
    for site in sites:
        counts = counted.get(site.pk) or rules.SiteReconciliation(site.pk)
        listed = (
            ()
            if hidden
            else tuple(
                Discrepancy(barcode, details[barcode][0], details[barcode][1], state)
                for barcode, state in counts.discrepancies
            )
        )
        found.append(SiteRow(site, counts, listed))
    return Reconciliation(tuple(found), hidden)
