"""Records the samples tests build: laboratories, types, permits, a visit, samples and shipments."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from trialdesk.core import records
from trialdesk.samples import services
from trialdesk.visits.models import ScheduledVisit, VisitStatus

SHIPPED_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def make_visit(participant, *, by, done_on=dt.date(2026, 3, 1)) -> ScheduledVisit:
    """An unscheduled visit, done (built directly: the visits app's checks are its own tests')."""
    visit = ScheduledVisit(
        participant=participant,
        target_on=done_on,
        status=VisitStatus.DONE,
        done_on=done_on,
        modality="on_site",
    )
    return records.create_record(visit, by=by, reason="test visit")


def make_laboratory(study, *, by, name="Central Lab Frankfurt", country="DE"):
    return services.create_laboratory(study=study, by=by, name=name, country=country, address="Main St 1")


def make_sample_type(study, *, by, code="SER", infectious=False):
    return services.create_sample_type(
        study=study,
        by=by,
        code=code,
        name={"SER": "Serum", "WB": "Whole blood"}.get(code, code),
        storage_min_c=Decimal("-90"),
        storage_max_c=Decimal("-60"),
        infectious=infectious,
    )


def make_permit(study, *, by, direction="export", from_country="CN", to_country="US", **overrides):
    values = {
        "authority": "HGRAC",
        "number": f"{direction}-{from_country}-{to_country}-1",
        "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 12, 31),
        "sample_type_codes": [],
        "covers": "serum for central safety labs",
    } | overrides
    return services.record_permit(
        study=study, by=by, direction=direction, from_country=from_country, to_country=to_country, **values
    )


def make_sample(participant, visit, sample_type, *, by, barcode, collected_at=None):
    return services.collect_sample(
        study_site=participant.study_site,
        participant=participant,
        scheduled_visit=visit,
        sample_type=sample_type,
        barcode=barcode,
        collected_at=collected_at or timezone.now() - dt.timedelta(days=2),
        by=by,
    )


def make_shipment(study_site, laboratory, barcodes, *, by, **overrides):
    return services.ship_samples(
        study_site=study_site,
        laboratory=laboratory,
        barcodes=barcodes,
        tracking_number=overrides.pop("tracking_number", "1Z999"),
        shipped_at=overrides.pop("shipped_at", timezone.now() - dt.timedelta(days=1)),
        by=by,
        **overrides,
    )
