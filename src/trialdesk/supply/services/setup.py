"""Setting up a study's supplies: products, kit types, lots, depots, how many kits each visit dispenses,
and kits registered at a depot. Each write goes through core.records (audit event in the same transaction)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Arm, Study
from trialdesk.supply import rules
from trialdesk.supply.models import (
    Depot,
    Kit,
    KitStatus,
    KitType,
    Lot,
    Product,
    ResupplyPlan,
    ShippingLane,
    VisitDispensing,
)
from trialdesk.supply.permissions import ONLY_SUPPLY_MANAGERS, can_manage_supply
from trialdesk.visits.models import VisitDefinition

#: Kits registered in one request at most (a lot's labelled kits; larger lots are registered in parts).
MAX_KITS_AT_ONCE = 5000


def _require_manager(user: User, study: Study) -> None:
    require(can_manage_supply(user, study.pk), ONLY_SUPPLY_MANAGERS)


@transaction.atomic
def create_product(*, study: Study, by: User, code: str, name: str, storage_min_c, storage_max_c) -> Product:
    _require_manager(by, study)
    product = Product(
        study=study, code=code, name=name, storage_min_c=storage_min_c, storage_max_c=storage_max_c
    )
    return records.create_record(product, by=by)


@transaction.atomic
def create_kit_type(
    *,
    study: Study,
    by: User,
    product: Product,
    code: str,
    name: str,
    units_per_kit: int = 1,
    arm: Arm | None = None,
) -> KitType:
    _require_manager(by, study)
    kit_type = KitType(
        study=study, product=product, code=code, name=name, units_per_kit=units_per_kit, arm=arm
    )
    return records.create_record(kit_type, by=by)


@transaction.atomic
def create_lot(
    *,
    study: Study,
    by: User,
    product: Product,
    number: str,
    expires_on,
    storage_min_c=None,
    storage_max_c=None,
) -> Lot:
    """A lot of a product; its storage range is the product's unless given."""
    _require_manager(by, study)
    lot = Lot(
        study=study,
        product=product,
        number=number,
        expires_on=expires_on,
        storage_min_c=product.storage_min_c if storage_min_c is None else storage_min_c,
        storage_max_c=product.storage_max_c if storage_max_c is None else storage_max_c,
    )
    return records.create_record(lot, by=by)


@transaction.atomic
def create_depot(*, study: Study, by: User, name: str, country: str) -> Depot:
    _require_manager(by, study)
    return records.create_record(Depot(study=study, name=name, country=(country or "").upper()), by=by)


@transaction.atomic
def set_visit_dispensing(
    *, study: Study, by: User, visit_definition: VisitDefinition, kits: int, reason: str = ""
) -> VisitDispensing:
    """How many kits a visit of the schedule dispenses (0 removes the visit from dispensing)."""
    _require_manager(by, study)
    if visit_definition.protocol_version.study_id != study.pk:
        raise ValidationError(
            {"visit_definition": gettext("The visit is not a visit of this study's schedule.")}
        )
    if not isinstance(kits, int) or kits < 0:
        raise ValidationError({"kits": gettext("Give a whole number of kits, 0 or more.")})
    existing = VisitDispensing.objects.filter(visit_definition=visit_definition).first()
    if existing is None:
        if kits == 0:
            raise ValidationError({"kits": gettext("This visit dispenses no kits already.")})
        return records.create_record(
            VisitDispensing(study=study, visit_definition=visit_definition, kits=kits), by=by
        )
    if kits == 0:
        records.delete_record(existing, by=by, reason=reason or "visit no longer dispenses kits")
        return existing
    return records.update_record(existing, changes={"kits": kits}, by=by, reason=reason or "kits changed")


@transaction.atomic
def register_kits(
    *, study: Study, by: User, depot: Depot, lot: Lot, kit_type: KitType, numbers: list[str]
) -> list[Kit]:
    """Kits received at a depot, available there (each kit its own audited record)."""
    _require_manager(by, study)
    for field, record in (("depot", depot), ("lot", lot), ("kit_type", kit_type)):
        if record.study_id != study.pk:
            raise ValidationError(
                {
                    field: gettext("The %(value)s is not one of this study's.")
                    % {"value": field.replace("_", " ")}
                }
            )
    if kit_type.product_id != lot.product_id:
        raise ValidationError({"lot": gettext("The lot is of another product than the kit type.")})
    numbers = [str(n).strip() for n in numbers]
    if not numbers or any(not n for n in numbers):
        raise ValidationError({"numbers": gettext("Give one kit number or more, none empty.")})
    if len(numbers) > MAX_KITS_AT_ONCE:
        raise ValidationError(
            {
                "numbers": gettext("Register at most %(max_kits_at_once)s kits at once.")
                % {"max_kits_at_once": MAX_KITS_AT_ONCE}
            }
        )
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    taken = sorted(Kit.objects.filter(study=study, number__in=numbers).values_list("number", flat=True))
    if repeated or taken:
        raise ValidationError(
            {
                "numbers": gettext("Kit numbers already used: %(value)s.")
                % {"value": ", ".join(repeated + taken)}
            }
        )
    return [
        records.create_record(
            Kit(study=study, kit_type=kit_type, lot=lot, number=n, status=KitStatus.AVAILABLE, depot=depot),
            by=by,
        )
        for n in numbers
    ]


@transaction.atomic
def set_resupply_plan(
    *, study: Study, by: User, lead_time_days: int, review_period_days: int, reason: str = ""
) -> ResupplyPlan:
    """The study's default lead time and its review period (what the forecast's shipments cover)."""
    _require_manager(by, study)
    problems = rules.lead_time_problems(lead_time_days=lead_time_days, review_period_days=review_period_days)
    if problems:
        raise ValidationError(problems)
    values = {"lead_time_days": lead_time_days, "review_period_days": review_period_days}
    existing = ResupplyPlan.objects.select_for_update().filter(study=study).first()
    if existing is None:
        return records.create_record(ResupplyPlan(study=study, **values), by=by)
    return records.update_record(existing, changes=values, by=by, reason=reason or "resupply plan changed")


@transaction.atomic
def set_shipping_lane(
    *, study: Study, by: User, depot: Depot, study_site: StudySite, lead_time_days: int, reason: str = ""
) -> ShippingLane:
    """The lead time from one depot to one site (it overrides the study's default for that site)."""
    _require_manager(by, study)
    if depot.study_id != study.pk:
        raise ValidationError({"depot": gettext("The depot is not one of this study's.")})
    if study_site.study_id != study.pk:
        raise ValidationError({"study_site": gettext("The site is not a site of this study.")})
    problems = rules.lead_time_problems(lead_time_days=lead_time_days)
    if problems:
        raise ValidationError(problems)
    existing = ShippingLane.objects.select_for_update().filter(depot=depot, study_site=study_site).first()
    if existing is None:
        lane = ShippingLane(study=study, depot=depot, study_site=study_site, lead_time_days=lead_time_days)
        return records.create_record(lane, by=by)
    return records.update_record(
        existing, changes={"lead_time_days": lead_time_days}, by=by, reason=reason or "lead time changed"
    )
