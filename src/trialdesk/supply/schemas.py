"""The supply API's In and Out schemas."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, PageQuery, PlainTextSchema, required_reason

Id = Field(ge=1, le=LARGEST_INTEGER)
Temperature = Field(ge=-100, le=100, max_digits=5, decimal_places=1)


class ProductIn(InSchema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    storage_min_c: Decimal = Temperature
    storage_max_c: Decimal = Temperature


class ProductOut(Schema):
    id: int
    code: str
    name: str
    storage_min_c: Decimal
    storage_max_c: Decimal


class KitTypeIn(InSchema):
    product_id: int = Id
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    units_per_kit: int = Field(1, ge=1, le=10_000)
    arm_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="The arm this kit type treats.")


class KitTypeOut(Schema):
    id: int
    product_id: int
    code: str
    name: str
    units_per_kit: int
    arm_code: str | None = Field(description="Null when hidden from you (blinded) or not set.")
    arm_hidden: bool


class LotIn(InSchema):
    product_id: int = Id
    number: str = Field(min_length=1, max_length=40)
    expires_on: dt.date
    storage_min_c: Decimal | None = Field(None, ge=-100, le=100, max_digits=5, decimal_places=1)
    storage_max_c: Decimal | None = Field(None, ge=-100, le=100, max_digits=5, decimal_places=1)


class LotOut(Schema):
    id: int
    product_id: int
    number: str
    expires_on: dt.date
    storage_min_c: Decimal
    storage_max_c: Decimal


class DepotIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(description="ISO 3166-1 alpha-2, e.g. DE (checked by the service).")


class DepotOut(Schema):
    id: int
    name: str
    country: str


class VisitDispensingIn(InSchema):
    visit_definition_id: int = Id
    kits: int = Field(ge=0, le=100, description="Kits the visit dispenses; 0 removes it.")
    reason: str = ""


class ResupplyPlanIn(InSchema):
    lead_time_days: int = Field(ge=0, le=365, description="Depot to site (days), unless a lane differs.")
    review_period_days: int = Field(ge=1, le=365, description="Days between two resupply decisions.")
    reason: str = ""


class ShippingLaneIn(InSchema):
    depot_id: int = Id
    study_site_id: int = Id
    lead_time_days: int = Field(ge=0, le=365)
    reason: str = ""


class ShippingLaneOut(Schema):
    depot_id: int
    depot: str
    study_site_id: int
    site: str
    lead_time_days: int


class ResupplyPlanOut(Schema):
    lead_time_days: int
    review_period_days: int
    is_default: bool = Field(description="True when the study has set none (the defaults apply).")
    lanes: list[ShippingLaneOut]


class VisitDispensingOut(Schema):
    visit_definition_id: int
    visit_code: str
    day_offset: int
    kits: int


class KitsIn(InSchema):
    depot_id: int = Id
    lot_id: int = Id
    kit_type_id: int = Id
    numbers: list[str] = Field(max_length=5000, description="One or more kit numbers.")


class KitOut(Schema):
    id: int
    number: str
    status: str
    lot_number: str
    expires_on: dt.date
    depot_id: int | None
    study_site_id: int | None
    shipment_id: int | None
    kit_type_code: str | None = Field(description="Null for blinded readers: only kit numbers are shown.")


class KitFilters(PageQuery):
    study_site_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    status: str | None = Field(None, max_length=16)


class IpShipmentIn(InSchema):
    depot_id: int = Id
    study_site_id: int = Id
    kits: dict[str, int] = Field(description='Kits of each kit type, by code, e.g. {"KT-A": 10}.')
    shipped_on: dt.date
    courier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=100)


class IpParticipantShipmentIn(InSchema):
    depot_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Null: from the site.")
    kits: int = Field(1, ge=1, le=12)
    shipped_on: dt.date
    courier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=100)


class IpReceiptIn(InSchema):
    received_on: dt.date
    kits_received: int = Field(ge=0, le=LARGEST_INTEGER)
    missing_kit_numbers: list[str] = Field([], max_length=5000)
    temperature_log: str = Field("", description="The data logger's CSV (last column: °C).")
    temperature_log_name: str = Field("", max_length=200)


class IpShipmentOut(Schema):
    id: int
    number: str
    status: str
    from_depot_id: int | None
    from_site_id: int | None
    study_site_id: int
    site_number: str
    direct_to_participant: bool
    participant_number: str | None = Field(description="Only for those who see participants.")
    courier: str
    tracking_number: str
    shipped_on: dt.date
    kits_shipped: int
    received_on: dt.date | None
    kits_received: int | None
    temperature_min_c: Decimal | None
    temperature_max_c: Decimal | None
    version: int


class DispenseIn(InSchema):
    dispensed_on: dt.date
    kit_number: str = Field("", max_length=30, description="A scanned kit to check; empty: the system picks.")
    scheduled_visit_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)


class ReturnIn(InSchema):
    returned_on: dt.date
    units_returned: int = Field(ge=0, le=LARGEST_INTEGER)
    units_expected_taken: int | None = Field(None, ge=0, le=LARGEST_INTEGER)


class DispensingOut(Schema):
    id: int
    participant_id: int
    kit_number: str
    dispensed_on: dt.date
    returned_on: dt.date | None
    units_returned: int | None
    compliance_percent: int | None


class ExcursionIn(InSchema):
    detected_on: dt.date
    temperature_min_c: Decimal = Temperature
    temperature_max_c: Decimal = Temperature
    description: str = Field(min_length=1)
    kit_numbers: list[str] = Field([], max_length=5000, description="Empty: every available kit of the site.")


class IpDecisionIn(InSchema):
    decision: Literal["released", "destroyed"]
    decided_on: dt.date
    reason: str = required_reason("Why: kept on the excursion and on the audit trail.")
    method: str = Field("", max_length=200, description="How the kits are destroyed (destroyed only).")


class ExcursionOut(Schema):
    id: int
    study_site_id: int | None
    shipment_id: int | None
    detected_on: dt.date
    temperature_min_c: Decimal
    temperature_max_c: Decimal
    description: str
    status: str
    decided_by: str | None
    decided_on: dt.date | None
    decision_reason: str
    kits: int
    version: int


class DestructionIn(InSchema):
    kit_numbers: list[str] = Field(max_length=5000, description="The kits destroyed, one or more.")
    destroyed_on: dt.date
    method: str = Field(min_length=1, max_length=200)
    witness: str = Field("", max_length=200)
    reason: str = required_reason("Why the kits are destroyed.")


class DestructionOut(Schema):
    id: int
    study_site_id: int | None
    destroyed_on: dt.date
    method: str
    witness: str
    reason: str
    kits: int


class AccountOut(Schema):
    study_site_id: int
    site_number: str
    received: int
    in_transit: int
    available: int
    quarantined: int
    dispensed: int
    returned: int
    destroyed: int
    expired: int
    lost: int
    unaccounted: int
    reconciled: bool


class ForecastQuery(PlainTextSchema):
    horizon_weeks: int = Field(12, ge=1, le=104)
    sims: int = Field(500, ge=1, le=5000)
    seed: int = Field(1, ge=0, le=LARGEST_INTEGER)
    safety_stock: int = Field(2, ge=0, le=1000)


class IpForecastSiteOut(Schema):
    site: str
    on_hand: int
    expiring_in_horizon: int
    needed: dict[str, int]
    suggested_shipment: int


class IpForecastPolicyOut(Schema):
    policy: str
    quantile: float
    safety_stock: int
    kits_shipped: int
    projected_waste_kits: float
    expected_sites_out_of_stock: float


class IpForecastOut(Schema):
    study: str
    as_of: dt.date
    horizon_weeks: int
    sims: int
    seed: int
    sites: list[IpForecastSiteOut]
    projected_waste_kits: float
    policies: list[IpForecastPolicyOut]
    notes: list[str]
