"""Every write of investigational product, through core.records (audit event in the same transaction)."""

from trialdesk.supply.services.dispensing import dispense_kit, record_return
from trialdesk.supply.services.setup import (
    create_depot,
    create_kit_type,
    create_lot,
    create_product,
    register_kits,
    set_resupply_plan,
    set_shipping_lane,
    set_visit_dispensing,
)
from trialdesk.supply.services.shipments import (
    confirm_receipt,
    decide_excursion,
    destroy_kits,
    expire_kits,
    record_excursion,
    ship_to_participant,
    ship_to_site,
)

__all__ = [
    "confirm_receipt",
    "create_depot",
    "create_kit_type",
    "create_lot",
    "create_product",
    "decide_excursion",
    "destroy_kits",
    "dispense_kit",
    "expire_kits",
    "record_excursion",
    "record_return",
    "register_kits",
    "set_resupply_plan",
    "set_shipping_lane",
    "set_visit_dispensing",
    "ship_to_participant",
    "ship_to_site",
]
