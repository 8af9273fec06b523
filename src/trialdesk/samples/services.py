"""Writes of the samples app: laboratories, sample types and permits (the study's), samples collected at
visits (the site's), shipments with their custody and temperature log, and the laboratory's receipt.
Every write goes through core.records, so its audit event is written in the same transaction; a refused
write raises a ValidationError naming the field and saves nothing."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.samples import rules
from trialdesk.samples.models import (
    CustodyTransfer,
    ItemCondition,
    Laboratory,
    Permit,
    Sample,
    SampleType,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
)
from trialdesk.samples.permissions import (
    ONLY_MANAGERS,
    ONLY_SHIPPERS,
    ONLY_SITE_STAFF,
    can_collect_samples,
    can_manage_samples,
    can_ship_samples,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.visits.models import ScheduledVisit

# A time a few minutes ahead of the server's is a clock difference, not the future.
CLOCK_SLACK = dt.timedelta(minutes=5)
MAX_SAMPLES_PER_SHIPMENT = 2000


def _not_future(value, field: str, problems: dict, *, what: str) -> None:
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        problems[field] = gettext(
            "Say when the %(what)s, with its time zone (e.g. 2026-12-01T09:30+01:00)."
        ) % {"what": what}
    elif value > timezone.now() + CLOCK_SLACK:
        problems[field] = gettext("The %(what)s cannot be in the future.") % {"what": what}


# --- the study's set-up --------------------------------------------------------------------------


@transaction.atomic
def create_laboratory(
    *, study: Study, by: User, name: str, country: str, address: str = "", reason: str = ""
) -> Laboratory:
    require(can_manage_samples(by, study.pk), ONLY_MANAGERS)
    laboratory = Laboratory(study=study, name=name, country=country, address=address)
    return records.create_record(laboratory, by=by, reason=reason)


@transaction.atomic
def create_sample_type(
    *,
    study: Study,
    by: User,
    code: str,
    name: str,
    storage_min_c: Decimal,
    storage_max_c: Decimal,
    infectious: bool = False,
    reason: str = "",
) -> SampleType:
    require(can_manage_samples(by, study.pk), ONLY_MANAGERS)
    sample_type = SampleType(
        study=study,
        code=code,
        name=name,
        storage_min_c=storage_min_c,
        storage_max_c=storage_max_c,
        infectious=infectious,
    )
    return records.create_record(sample_type, by=by, reason=reason)


PERMIT_FIELDS = (
    "direction",
    "from_country",
    "to_country",
    "authority",
    "number",
    "valid_from",
    "valid_until",
    "sample_type_codes",
    "covers",
)


@transaction.atomic
def record_permit(*, study: Study, by: User, reason: str = "", **values) -> Permit:
    """Record an export or import permit for the study's samples between two countries."""
    require(can_manage_samples(by, study.pk), ONLY_MANAGERS)
    values = records.only_fields(values, PERMIT_FIELDS)
    _check_type_codes(study, values.get("sample_type_codes") or [])
    permit = Permit(study=study, **values)
    return records.create_record(permit, by=by, reason=reason)


@transaction.atomic
def update_permit(
    *, permit: Permit, by: User, changes: dict, reason: str, expected_version: int | None = None
) -> Permit:
    """Change a permit (a renewal's new validity, a corrected number); a reason is required."""
    require(can_manage_samples(by, permit.study_id), ONLY_MANAGERS)
    changes = records.only_fields(changes, PERMIT_FIELDS)
    if "sample_type_codes" in changes:
        _check_type_codes(permit.study, changes["sample_type_codes"] or [])
    return records.update_record(
        permit, changes=changes, by=by, reason=reason, expected_version=expected_version
    )


def _check_type_codes(study: Study, codes) -> None:
    if not isinstance(codes, list):
        return  # the model says how to give them
    known = set(SampleType.objects.filter(study=study).values_list("code", flat=True))
    unknown = sorted({str(code) for code in codes} - known)
    if unknown:
        raise ValidationError(
            {
                "sample_type_codes": gettext("This study has no sample type %(unknown)s.")
                % {"unknown": ", ".join(unknown)}
            }
        )


# --- collection at a visit -------------------------------------------------------------------------


@transaction.atomic
def collect_sample(
    *,
    study_site: StudySite,
    participant: Participant,
    scheduled_visit: ScheduledVisit,
    sample_type: SampleType,
    barcode: str,
    collected_at: dt.datetime,
    by: User,
    collected_by: User | None = None,
    note: str = "",
    reason: str = "",
) -> Sample:
    """Record a sample taken from a participant of `study_site` at one of their visits."""
    require(
        can_collect_samples(by, study_id=study_site.study_id, study_site_id=study_site.pk), ONLY_SITE_STAFF
    )
    problems: dict[str, str] = {}
    if participant.study_site_id != study_site.pk:
        problems["participant"] = gettext(
            "Participant %(number)s is not a participant of site %(site_number)s."
        ) % {"number": participant.number, "site_number": study_site.site_number}
    elif scheduled_visit.participant_id != participant.pk:
        problems["scheduled_visit"] = gettext("Choose one of participant %(number)s's visits.") % {
            "number": participant.number
        }
    if sample_type.study_id != study_site.study_id:
        problems["sample_type"] = gettext("Choose one of this study's sample types.")
    barcode = (barcode or "").strip()
    if not barcode:
        problems["barcode"] = gettext("Give the sample's id (its barcode).")
    elif Sample.objects.filter(study_id=study_site.study_id, barcode=barcode).exists():
        problems["barcode"] = gettext("Sample %(barcode)s is already recorded in this study.") % {
            "barcode": barcode
        }
    _not_future(collected_at, "collected_at", problems, what="sample was collected")
    if problems:
        raise ValidationError(problems)
    sample = Sample(
        study_id=study_site.study_id,
        study_site=study_site,
        participant=participant,
        scheduled_visit=scheduled_visit,
        sample_type=sample_type,
        barcode=barcode,
        collected_at=collected_at,
        collected_by=collected_by or by,
        note=note,
    )
    return records.create_record(sample, by=by, reason=reason)


# --- shipments -------------------------------------------------------------------------------------


def _next_number(study: Study) -> str:
    """SHP-001, SHP-002, … within the study (a race ends in the unique constraint)."""
    taken = Shipment.objects.filter(study=study).select_for_update().values_list("number", flat=True)
    highest = max((int(n.removeprefix("SHP-")) for n in taken if n.removeprefix("SHP-").isdigit()), default=0)
    return f"SHP-{highest + 1:03d}"


def clean_barcodes(barcodes) -> list[str]:
    """Barcodes as given (a list, or text one per line / comma-separated), trimmed, blanks dropped."""
    if isinstance(barcodes, str):
        barcodes = barcodes.replace(",", "\n").splitlines()
    return [str(code).strip() for code in barcodes or () if str(code).strip()]


def _samples_to_ship(study_site: StudySite, barcodes: list[str]) -> list[Sample]:
    """The site's samples with these barcodes, none shipped before; else a ValidationError on `barcodes`."""
    if not barcodes:
        raise ValidationError({"barcodes": gettext("Give the barcodes of the samples in the shipment.")})
    if len(barcodes) > MAX_SAMPLES_PER_SHIPMENT:
        raise ValidationError(
            {
                "barcodes": gettext("At most %(max_samples_per_shipment)s samples per shipment.")
                % {"max_samples_per_shipment": MAX_SAMPLES_PER_SHIPMENT}
            }
        )
    twice = sorted({code for code in barcodes if barcodes.count(code) > 1})
    if twice:
        raise ValidationError(
            {"barcodes": gettext("Sample %(twice)s is listed twice.") % {"twice": ", ".join(twice)}}
        )
    found = {
        sample.barcode: sample
        for sample in Sample.objects.select_for_update(of=("self",))
        .filter(study_id=study_site.study_id, barcode__in=barcodes)
        .select_related("sample_type", "study_site", "shipment_item__shipment")
    }
    problems = []
    for code in barcodes:
        sample = found.get(code)
        if sample is None:
            problems.append(f"No sample {code} in this study.")
        elif sample.study_site_id != study_site.pk:
            problems.append(f"Sample {code} was collected at site {sample.study_site.site_number}, not here.")
        elif hasattr(sample, "shipment_item"):
            problems.append(f"Sample {code} is already in shipment {sample.shipment_item.shipment.number}.")
    if problems:
        raise ValidationError({"barcodes": " ".join(problems)})
    return [found[code] for code in barcodes]


def _permit_facts(permit: Permit | None, study: Study, field: str) -> rules.PermitFacts | None:
    if permit is None:
        return None
    if permit.study_id != study.pk:
        raise ValidationError({field: gettext("Choose one of this study's permits.")})
    return permit.facts()


@transaction.atomic
def ship_samples(
    *,
    study_site: StudySite,
    laboratory: Laboratory,
    barcodes,
    tracking_number: str,
    shipped_at: dt.datetime,
    by: User,
    courier: str = "",
    export_permit: Permit | None = None,
    import_permit: Permit | None = None,
    temperature_log: list | None = None,
    reason: str = "",
) -> Shipment:
    """Send samples of `study_site` to a laboratory under the permits its country pair needs, valid on the
    day it leaves. A sample travels once; nothing is saved when any of it is refused."""
    study = study_site.study
    require(can_ship_samples(by, study_id=study.pk, study_site_id=study_site.pk), ONLY_SHIPPERS)
    problems: dict[str, str] = {}
    if laboratory.study_id != study.pk:
        raise ValidationError({"laboratory": gettext("Choose one of this study's laboratories.")})
    if not (tracking_number or "").strip():
        problems["tracking_number"] = gettext("Give the courier's tracking number.")
    _not_future(shipped_at, "shipped_at", problems, what="shipment left")
    if problems:
        raise ValidationError(problems)
    samples = _samples_to_ship(study_site, clean_barcodes(barcodes))
    later = [sample.barcode for sample in samples if sample.collected_at > shipped_at]
    if later:
        raise ValidationError(
            {
                "barcodes": gettext("Sample %(later)s was collected after the shipment left.")
                % {"later": ", ".join(later)}
            }
        )
    types = {sample.sample_type for sample in samples}
    from_country = study_site.institution.country
    on = shipped_at.astimezone(study_site.zone).date()
    problems = rules.shipment_permit_problems(
        from_country=from_country,
        to_country=laboratory.country,
        infectious=any(sample_type.infectious for sample_type in types),
        codes=sorted(sample_type.code for sample_type in types),
        on=on,
        export_permit=_permit_facts(export_permit, study, "export_permit"),
        import_permit=_permit_facts(import_permit, study, "import_permit"),
    )
    if problems:
        raise ValidationError(problems)
    shipment = Shipment(
        study=study,
        study_site=study_site,
        laboratory=laboratory,
        number=_next_number(study),
        courier=courier,
        tracking_number=tracking_number.strip(),
        shipped_at=shipped_at,
        export_permit=export_permit,
        import_permit=import_permit,
        temperature_log=temperature_log or [],
    )
    records.create_record(shipment, by=by, reason=reason)
    for sample in samples:
        records.create_record(ShipmentItem(shipment=shipment, sample=sample), by=by, reason=reason)
    return shipment


@transaction.atomic
def record_temperature_log(
    *, shipment: Shipment, by: User, readings: list[dict], reason: str, expected_version: int | None = None
) -> Shipment:
    """Replace the shipment's temperature log with the logger's readings (parsed by
    rules.parse_temperature_log); a reason is required."""
    require(
        can_ship_samples(by, study_id=shipment.study_id, study_site_id=shipment.study_site_id), ONLY_SHIPPERS
    )
    return records.update_record(
        shipment,
        changes={"temperature_log": readings},
        by=by,
        reason=reason,
        expected_version=expected_version,
        action="temperature_logged",
    )


@transaction.atomic
def add_custody_transfer(
    *,
    shipment: Shipment,
    by: User,
    handed_over_at: dt.datetime,
    from_party: str,
    to_party: str,
    location: str,
    note: str = "",
    reason: str = "",
) -> CustodyTransfer:
    """Record a hand-over in the shipment's chain of custody (who to whom, when, where)."""
    require(
        can_ship_samples(by, study_id=shipment.study_id, study_site_id=shipment.study_site_id), ONLY_SHIPPERS
    )
    problems: dict[str, str] = {}
    _not_future(handed_over_at, "handed_over_at", problems, what="hand-over took place")
    if "handed_over_at" not in problems and handed_over_at < shipment.shipped_at - dt.timedelta(days=2):
        problems["handed_over_at"] = gettext("A hand-over of this shipment cannot be days before it left.")
    for field, value in (("from_party", from_party), ("to_party", to_party), ("location", location)):
        if not (value or "").strip():
            problems[field] = gettext("This field is required.")
    if problems:
        raise ValidationError(problems)
    transfer = CustodyTransfer(
        shipment=shipment,
        handed_over_at=handed_over_at,
        from_party=from_party.strip(),
        to_party=to_party.strip(),
        location=location.strip(),
        note=note,
    )
    return records.create_record(transfer, by=by, reason=reason)


# --- the laboratory's receipt ----------------------------------------------------------------------


def parse_receipt_lines(text: str) -> dict[str, str]:
    """{barcode: condition} from lines "BARCODE" or "BARCODE, condition" (good when none is given)."""
    received: dict[str, str] = {}
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        code, _, condition = line.partition(",")
        received[code.strip()] = condition.strip().lower() or ItemCondition.GOOD
    return received


@transaction.atomic
def record_receipt(
    *,
    shipment: Shipment,
    by: User,
    received: dict[str, str],
    received_at: dt.datetime,
    received_by: str = "",
    receipt_condition: str = "",
    reason: str = "",
) -> Shipment:
    """The laboratory's receipt: which samples arrived (`received`: {barcode: condition}) and when.
    Samples of the shipment not listed did not arrive: they are the reconciliation's discrepancies. A
    barcode that is not in the shipment, or a second receipt, is refused and nothing is saved."""
    require(can_manage_samples(by, shipment.study_id), ONLY_MANAGERS)
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status == ShipmentStatus.RECEIVED:
        raise ValidationError(
            {
                "received": gettext("The receipt of %(number)s is already recorded.")
                % {"number": shipment.number}
            }
        )
    problems: dict[str, str] = {}
    _not_future(received_at, "received_at", problems, what="laboratory received it")
    if "received_at" not in problems and received_at < shipment.shipped_at:
        problems["received_at"] = gettext("The laboratory cannot receive the shipment before it left.")
    items = {item.sample.barcode: item for item in shipment.items.select_related("sample")}
    if not isinstance(received, dict) or not received:
        problems["received"] = gettext("List the samples the laboratory received (barcodes).")
    else:
        strangers = sorted(code for code in received if code not in items)
        if strangers:
            problems["received"] = gettext(
                "Sample %(strangers)s is not in shipment %(number)s; record only the samples it carried."
            ) % {"strangers": ", ".join(strangers), "number": shipment.number}
        bad = sorted({str(c) for c in received.values() if c not in ItemCondition.values})
        if bad and "received" not in problems:
            problems["received"] = gettext("Unknown condition %(bad)s; say one of %(values)s.") % {
                "bad": ", ".join(bad),
                "values": ", ".join(ItemCondition.values),
            }
    if problems:
        raise ValidationError(problems)
    reason = reason or f"receipt of {shipment.number}"
    for code, item in items.items():
        arrived = code in received
        records.update_record(
            item,
            changes={"received": arrived, "condition": received[code] if arrived else ""},
            by=by,
            reason=reason,
            action="received",
        )
    return records.update_record(
        shipment,
        changes={
            "status": ShipmentStatus.RECEIVED,
            "received_at": received_at,
            "received_by": received_by,
            "receipt_condition": receipt_condition,
        },
        by=by,
        reason=reason,
        action="received",
    )
