"""Which kit the system picks: for a shipment, a depot's kits first-expiry-first-out; for a participant, an
available unexpired kit of the kit type of their arm, so that nobody chooses (or needs to know) the arm."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from trialdesk.randomization.models import Allocation
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant
from trialdesk.supply import rules
from trialdesk.supply.models import Depot, Kit, KitStatus, KitType

WRONG_KIT = "This kit is not one the system allocates to this participant; use the kit it names."
NO_KIT = "No available, unexpired kit for this participant here: ask the supply manager to ship."
NOT_RANDOMIZED = (
    "This participant is not randomized: kits are allocated to a participant's arm once randomized."
)


def pick_from_depot(*, study: Study, depot: Depot, counts: dict[str, int], on: dt.date) -> list[Kit]:
    """`counts[kit type code]` available kits of the depot, earliest expiry first, none expired on `on`."""
    if not isinstance(counts, dict) or not counts:
        raise ValidationError(
            {"kits": gettext('Say how many kits of which kit type to ship, e.g. {"KT-A": 10}.')}
        )
    types = {t.code: t for t in KitType.objects.filter(study=study, code__in=list(counts))}
    picked: list[Kit] = []
    for code, count in counts.items():
        if code not in types:
            raise ValidationError(
                {"kits": gettext("%(code)s is not a kit type of this study.") % {"code": repr(code)}}
            )
        if not isinstance(count, int) or count < 1:
            raise ValidationError(
                {"kits": gettext("%(code)s: give a whole number of kits, 1 or more.") % {"code": code}}
            )
        found = list(
            Kit.objects.select_for_update()
            .filter(depot=depot, kit_type=types[code], status=KitStatus.AVAILABLE, lot__expires_on__gte=on)
            .order_by("lot__expires_on", "number")[:count]
        )
        if len(found) < count:
            raise ValidationError(
                {
                    "kits": gettext(
                        "%(code)s: %(count)s kits asked for, %(found)s available and unexpired at %(depot)s."
                    )
                    % {"code": code, "count": count, "found": len(found), "depot": depot}
                }
            )
        picked.extend(found)
    return picked


def arm_kit_types(participant: Participant) -> list[int]:
    """The kit types that treat the participant's arm (ValidationError naming `participant` when the
    participant has no arm yet)."""
    arm_id = Allocation.objects.filter(participant=participant).values_list("arm_id", flat=True).first()
    if arm_id is None:
        raise ValidationError({"participant": NOT_RANDOMIZED})
    kit_types = list(
        KitType.objects.filter(study_id=participant.study_id, arm_id=arm_id).values_list("pk", flat=True)
    )
    if not kit_types:
        raise ValidationError(
            {"participant": gettext("No kit type of this study is set up for this participant's arm.")}
        )
    return kit_types


def allocate_kit(
    *,
    participant: Participant,
    on: dt.date,
    depot: Depot | None = None,
    taken: set[int] = frozenset(),
    kit_number: str = "",
) -> Kit:
    """An available, unexpired kit for the participant at their site (or at `depot`), earliest expiry
    first. A `kit_number` given (a scanned kit) must be dispensable and one the system would allocate."""
    kit_types = arm_kit_types(participant)
    where = {"depot": depot} if depot is not None else {"study_site_id": participant.study_site_id}
    if kit_number:
        kit = Kit.objects.select_for_update().filter(study_id=participant.study_id, number=kit_number.strip(),
                                                     **where).select_related("lot").first()  # fmt: skip
        if kit is None:
            raise ValidationError(
                {"kit_number": gettext("No kit %(kit_number)s here.") % {"kit_number": kit_number}}
            )
        if problem := rules.dispensing_problem(status=kit.status, expires_on=kit.lot.expires_on, today=on):
            raise ValidationError({"kit_number": problem})
        if kit.kit_type_id not in kit_types:
            raise ValidationError({"kit_number": WRONG_KIT})
        return kit
    kit = (
        Kit.objects.select_for_update()
        .filter(kit_type_id__in=kit_types, status=KitStatus.AVAILABLE, lot__expires_on__gte=on, **where)
        .exclude(pk__in=list(taken))
        .order_by("lot__expires_on", "number")
        .first()
    )
    if kit is None:
        raise ValidationError({"kit_number": NO_KIT})
    return kit
