"""Shipping kits to sites and to participants' homes, confirming receipts with the temperature log,
excursions (quarantine, then a named decision to release or destroy) and destruction records."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.supply import rules
from trialdesk.supply.models import (
    Depot,
    Destruction,
    Dispensing,
    Excursion,
    ExcursionStatus,
    Kit,
    KitStatus,
    Shipment,
    ShipmentStatus,
)
from trialdesk.supply.permissions import (
    ONLY_SITE_STAFF,
    ONLY_SUPPLY_MANAGERS,
    can_handle_site_ip,
    can_manage_supply,
)
from trialdesk.supply.services import allocation

#: Kit states from which a kit may be destroyed (never one in transit or with a participant).
DESTROYABLE = frozenset({KitStatus.AVAILABLE, KitStatus.QUARANTINED, KitStatus.RETURNED, KitStatus.EXPIRED})


NOT_DESTROYABLE = "Not kits here that may be destroyed (available, quarantined, returned or expired)"


def _next_number(study: Study) -> str:
    """SHP-0001, SHP-0002, … within the study (a race ends in the unique constraint)."""
    count = Shipment.objects.filter(study=study).select_for_update().count()
    return f"SHP-{count + 1:04d}"


def _site_problem(study_site: StudySite) -> str:
    if study_site.status not in rules.RECEIVING_SITE_STATUSES:
        return (
            f"{study_site} is {study_site.get_status_display().lower()}, not activated: it cannot receive IP."
        )
    return ""


@transaction.atomic
def ship_to_site(
    *,
    study: Study,
    by: User,
    depot: Depot,
    study_site: StudySite,
    kits: dict[str, int],
    shipped_on: dt.date,
    courier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """Kits from a depot to an activated site: `kits` gives how many of each kit type (by code); the
    depot's available kits are picked first-expiry-first-out, never one expired by `shipped_on`."""
    require(can_manage_supply(by, study.pk), ONLY_SUPPLY_MANAGERS)
    if depot.study_id != study.pk:
        raise ValidationError({"depot": gettext("The depot is not one of this study's.")})
    if study_site.study_id != study.pk:
        raise ValidationError({"study_site": gettext("The site is not a site of this study.")})
    if problem := _site_problem(study_site):
        raise ValidationError({"study_site": problem})
    picked = allocation.pick_from_depot(study=study, depot=depot, counts=kits, on=shipped_on)
    shipment = records.create_record(
        Shipment(
            study=study,
            number=_next_number(study),
            from_depot=depot,
            study_site=study_site,
            shipped_on=shipped_on,
            kits_shipped=len(picked),
            courier=courier,
            tracking_number=tracking_number,
        ),
        by=by,
    )
    for kit in picked:
        _move(kit, by=by, reason=f"shipped in {shipment.number}", status=KitStatus.IN_TRANSIT, depot=None,
              study_site=study_site, shipment=shipment)  # fmt: skip
    return shipment


@transaction.atomic
def ship_to_participant(
    *,
    participant: Participant,
    by: User,
    shipped_on: dt.date,
    depot: Depot | None = None,
    kits: int = 1,
    courier: str = "",
    tracking_number: str = "",
) -> Shipment:
    """Direct-to-participant: kits of the participant's arm's kit type, from a depot or (without one) from
    the participant's site, to their home. They count as dispensed once the delivery is confirmed."""
    study_site = StudySite.objects.get(pk=participant.study_site_id)  # its status as it stands now
    study = participant.study
    if depot is not None:
        require(can_manage_supply(by, study.pk), ONLY_SUPPLY_MANAGERS)
        if depot.study_id != study.pk:
            raise ValidationError({"depot": gettext("The depot is not one of this study's.")})
    else:
        require(can_handle_site_ip(by, study_id=study.pk, study_site_id=study_site.pk), ONLY_SITE_STAFF)
    if problem := _site_problem(study_site):
        raise ValidationError({"participant": problem})
    if not isinstance(kits, int) or not 1 <= kits <= 12:
        raise ValidationError({"kits": gettext("Ship between 1 and 12 kits to a participant.")})
    picked: list[Kit] = []
    for _ in range(kits):
        taken = {k.pk for k in picked}
        picked.append(
            allocation.allocate_kit(participant=participant, on=shipped_on, depot=depot, taken=taken)
        )
    shipment = records.create_record(
        Shipment(
            study=study,
            number=_next_number(study),
            from_depot=depot,
            from_site=None if depot else study_site,
            study_site=study_site,
            to_participant=participant,
            shipped_on=shipped_on,
            kits_shipped=len(picked),
            courier=courier,
            tracking_number=tracking_number,
        ),
        by=by,
    )
    for kit in picked:
        reason = f"shipped to the participant in {shipment.number}"
        _move(kit, by=by, reason=reason, status=KitStatus.IN_TRANSIT, depot=None, study_site=study_site,
              shipment=shipment)  # fmt: skip
    return shipment


@transaction.atomic
def confirm_receipt(
    *,
    shipment: Shipment,
    by: User,
    received_on: dt.date,
    kits_received: int,
    missing_kit_numbers: list[str] = (),
    temperature_log: str = "",
    temperature_log_name: str = "",
) -> Shipment:
    """The site (its own staff) confirms what arrived. More kits than shipped is refused; the kits not
    received are named and recorded lost. A temperature log outside the kits' storage range opens an
    excursion and quarantines the kits; otherwise they are available (or, to a participant, dispensed)."""
    require(
        can_handle_site_ip(by, study_id=shipment.study_id, study_site_id=shipment.study_site_id),
        ONLY_SITE_STAFF,
    )
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    if shipment.status != ShipmentStatus.SHIPPED:
        raise ValidationError(
            {
                "status": gettext("This shipment is %(value)s already.")
                % {"value": shipment.get_status_display().lower()}
            }
        )
    if not isinstance(received_on, dt.date) or received_on < shipment.shipped_on:
        raise ValidationError(
            {
                "received_on": gettext("Give the day it arrived, on or after %(shipped_on)s.")
                % {"shipped_on": shipment.shipped_on}
            }
        )
    if not isinstance(kits_received, int) or kits_received < 0:
        raise ValidationError({"kits_received": gettext("Give the number of kits received, 0 or more.")})
    missing = [str(n).strip() for n in missing_kit_numbers or () if str(n).strip()]
    if problem := rules.receipt_problem(
        kits_shipped=shipment.kits_shipped, kits_received=kits_received, missing=len(set(missing))
    ):
        field = "kits_received" if kits_received > shipment.kits_shipped else "missing_kit_numbers"
        raise ValidationError({field: problem})
    kits = list(shipment.kits.filter(status=KitStatus.IN_TRANSIT).select_related("lot", "kit_type"))
    unknown = sorted(set(missing) - {k.number for k in kits})
    if unknown:
        raise ValidationError(
            {
                "missing_kit_numbers": gettext("Not kits of this shipment: %(unknown)s.")
                % {"unknown": ", ".join(unknown)}
            }
        )
    log = None
    if temperature_log.strip():
        log = rules.parse_temperature_log(temperature_log)
        if isinstance(log, str):
            raise ValidationError({"temperature_log": log})
    changes = {"status": ShipmentStatus.RECEIVED, "received_on": received_on, "received_by": by,
               "kits_received": kits_received}  # fmt: skip
    if log is not None:
        changes |= {"temperature_min_c": log.lowest, "temperature_max_c": log.highest,
                    "temperature_log": temperature_log,
                    "temperature_log_name": temperature_log_name[:200]}  # fmt: skip
    shipment = records.update_record(shipment, changes=changes, by=by, reason="receipt confirmed")
    arrived = [k for k in kits if k.number not in set(missing)]
    for kit in kits:
        if kit.number in set(missing):
            _move(kit, by=by, reason=f"not received with {shipment.number}", status=KitStatus.LOST)
    excursion = _excursion_from_log(shipment, arrived, log, by=by, on=received_on)
    for kit in arrived:
        _arrive(kit, shipment=shipment, excursion=excursion, by=by, on=received_on)
    return shipment


def _excursion_from_log(shipment, kits, log, *, by, on) -> Excursion | None:
    if log is None or not kits:
        return None
    low = max(k.lot.storage_min_c for k in kits)
    high = min(k.lot.storage_max_c for k in kits)
    if not rules.is_excursion(low=log.lowest, high=log.highest, storage_min=low, storage_max=high):
        return None
    return records.create_record(
        Excursion(
            study_id=shipment.study_id,
            study_site_id=shipment.study_site_id,
            shipment=shipment,
            detected_on=on,
            temperature_min_c=log.lowest,
            temperature_max_c=log.highest,
            description=f"Logged {log.lowest}–{log.highest} °C in transit; storage range {low}–{high} °C.",
        ),
        by=by,
    )


def _arrive(kit: Kit, *, shipment: Shipment, excursion: Excursion | None, by: User, on: dt.date) -> None:
    if excursion is not None:
        _move(kit, by=by, reason="quarantined: temperature excursion", status=KitStatus.QUARANTINED,
              excursion=excursion)  # fmt: skip
        return
    if shipment.to_participant_id is None:
        _move(kit, by=by, reason=f"received with {shipment.number}", status=KitStatus.AVAILABLE)
        return
    _move(kit, by=by, reason=f"delivered to the participant ({shipment.number})", status=KitStatus.DISPENSED)
    records.create_record(
        Dispensing(study_id=kit.study_id, study_site_id=shipment.study_site_id,
                   participant_id=shipment.to_participant_id, kit=kit, dispensed_on=on, dispensed_by=by),
        by=by,
    )  # fmt: skip


@transaction.atomic
def record_excursion(
    *,
    study_site: StudySite,
    by: User,
    detected_on: dt.date,
    temperature_min_c,
    temperature_max_c,
    description: str,
    kit_numbers: list[str] = (),
) -> Excursion:
    """An excursion of a site's storage: its available kits (or those named) are quarantined."""
    require(
        can_handle_site_ip(by, study_id=study_site.study_id, study_site_id=study_site.pk), ONLY_SITE_STAFF
    )
    kits = Kit.objects.filter(study_site=study_site, status=KitStatus.AVAILABLE)
    if kit_numbers:
        kits = kits.filter(number__in=list(kit_numbers))
        found = set(kits.values_list("number", flat=True))
        if missing := sorted(set(kit_numbers) - found):
            raise ValidationError(
                {
                    "kit_numbers": gettext("Not available kits of this site: %(missing)s.")
                    % {"missing": ", ".join(missing)}
                }
            )
    kits = list(kits)
    if not kits:
        raise ValidationError({"kit_numbers": gettext("No available kit at this site to quarantine.")})
    excursion = records.create_record(
        Excursion(study_id=study_site.study_id, study_site=study_site, detected_on=detected_on,
                  temperature_min_c=temperature_min_c, temperature_max_c=temperature_max_c,
                  description=description),
        by=by,
    )  # fmt: skip
    for kit in kits:
        _move(kit, by=by, reason="quarantined: temperature excursion", status=KitStatus.QUARANTINED,
              excursion=excursion)  # fmt: skip
    return excursion


@transaction.atomic
def decide_excursion(
    *, excursion: Excursion, by: User, decision: str, reason: str, decided_on: dt.date, method: str = ""
) -> Excursion:
    """The supply manager's named decision on quarantined kits: release them (available again) or have
    them destroyed (a destruction record). The reason is kept on the excursion and in the trail."""
    require(can_manage_supply(by, excursion.study_id), ONLY_SUPPLY_MANAGERS)
    if excursion.status != ExcursionStatus.PENDING:
        raise ValidationError({"decision": gettext("This excursion has been decided already.")})
    if decision not in (ExcursionStatus.RELEASED, ExcursionStatus.DESTROYED):
        raise ValidationError({"decision": gettext("Decide 'released' or 'destroyed'.")})
    reason = records.require_reason(reason)
    kits = list(excursion.kits.filter(status=KitStatus.QUARANTINED))
    changes = {"status": decision, "decided_by": by, "decided_on": decided_on, "decision_reason": reason}
    excursion = records.update_record(excursion, changes=changes, by=by, reason=reason, action="decided")
    if decision == ExcursionStatus.RELEASED:
        for kit in kits:
            status = KitStatus.DISPENSED if hasattr(kit, "dispensing") else KitStatus.AVAILABLE
            _move(kit, by=by, reason=f"released after the excursion: {reason}", status=status)
        return excursion
    destroy_kits(
        study=excursion.study, study_site=excursion.study_site, by=by, kit_numbers=[k.number for k in kits],
        destroyed_on=decided_on, method=method or "as the excursion decision says", reason=reason,
    )  # fmt: skip
    return excursion


@transaction.atomic
def destroy_kits(
    *,
    study: Study,
    study_site: StudySite | None,
    by: User,
    kit_numbers: list[str],
    destroyed_on: dt.date,
    method: str,
    reason: str,
    witness: str = "",
) -> Destruction:
    """A destruction record for kits at a site (its staff) or at a depot (the supply managers)."""
    if study_site is None:
        require(can_manage_supply(by, study.pk), ONLY_SUPPLY_MANAGERS)
    else:
        require(can_handle_site_ip(by, study_id=study.pk, study_site_id=study_site.pk), ONLY_SITE_STAFF)
    numbers = sorted({str(n).strip() for n in kit_numbers if str(n).strip()})
    if not numbers:
        raise ValidationError({"kit_numbers": gettext("Name the kits destroyed.")})
    kits = list(Kit.objects.filter(study=study, study_site=study_site, number__in=numbers))
    wrong = sorted(set(numbers) - {k.number for k in kits if k.status in DESTROYABLE})
    if wrong:
        raise ValidationError({"kit_numbers": f"{NOT_DESTROYABLE}: {', '.join(wrong)}."})
    destruction = records.create_record(
        Destruction(study=study, study_site=study_site, destroyed_on=destroyed_on, method=method,
                    witness=witness, reason=reason),
        by=by,
    )  # fmt: skip
    for kit in kits:
        _move(kit, by=by, reason=f"destroyed: {reason}", status=KitStatus.DESTROYED, destruction=destruction)
    return destruction


@transaction.atomic
def expire_kits(*, study: Study, by: User | None, today: dt.date) -> int:
    """Mark the available kits of lots past their expiry date as expired (at depots and sites)."""
    kits = list(Kit.objects.filter(study=study, status=KitStatus.AVAILABLE, lot__expires_on__lt=today))
    for kit in kits:
        _move(kit, by=by, reason="lot expired", status=KitStatus.EXPIRED)
    return len(kits)


def _move(kit: Kit, *, by: User | None, reason: str, **changes) -> Kit:
    return records.update_record(kit, changes=changes, by=by, reason=reason)
