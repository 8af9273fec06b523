"""The samples API's In and Out schemas. Times carry their UTC offset; required times are checked by the
service (422 naming the field) so that the path and the caller's permission are looked at first."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from trialdesk.core.apiutils import LARGEST_INTEGER, InSchema, RecordVersion, required_reason
from trialdesk.samples.models import ItemCondition

Direction = Literal["export", "import"]
Condition = Literal[tuple(ItemCondition.values)]
AWARE_HINT = "Give the time with its UTC offset, e.g. 2026-12-01T09:30:00+01:00."
Id = Field(None, ge=1, le=LARGEST_INTEGER)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(AWARE_HINT)
    return value


class LaboratoryIn(InSchema):
    name: str = Field(min_length=1, max_length=200)
    country: str = Field(max_length=100, description="ISO 3166-1 alpha-2, e.g. US.")
    address: str = ""
    reason: str = ""


class LaboratoryOut(Schema):
    id: int
    study_id: int
    name: str
    country: str
    address: str
    version: int


class SampleTypeIn(InSchema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=100)
    storage_min_c: Decimal = Field(ge=-273, le=100, max_digits=5, decimal_places=1)
    storage_max_c: Decimal = Field(ge=-273, le=100, max_digits=5, decimal_places=1)
    infectious: bool = False
    reason: str = ""


class SampleTypeOut(Schema):
    id: int
    study_id: int
    code: str
    name: str
    storage_min_c: Decimal
    storage_max_c: Decimal
    infectious: bool
    version: int


class PermitIn(InSchema):
    direction: Direction
    from_country: str = Field(max_length=100, description="The site's country (export), ISO alpha-2.")
    to_country: str = Field(max_length=100, description="The laboratory's country (import), ISO alpha-2.")
    authority: str = Field(max_length=200)
    number: str = Field(max_length=100)
    valid_from: dt.date | None = Field(None, description="Required.")
    valid_until: dt.date | None = Field(None, description="Required: the last day the permit is valid.")
    sample_type_codes: list[str] = Field([], description="Sample types covered; empty: all.")
    covers: str = ""
    reason: str = ""


class PermitPatch(InSchema):
    authority: str | None = Field(None, max_length=200)
    number: str | None = Field(None, max_length=100)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    sample_type_codes: list[str] | None = None
    covers: str | None = None
    reason: str = required_reason("Why the permit changed (a renewal); kept on the audit trail.")
    version: RecordVersion | None = Field(None, description="The `version` you read (or send If-Match).")


class PermitOut(Schema):
    id: int
    study_id: int
    direction: str
    from_country: str
    to_country: str
    authority: str
    number: str
    valid_from: dt.date
    valid_until: dt.date
    sample_type_codes: list[str]
    covers: str
    expired: bool
    expiring_within_60_days: bool
    version: int


class SampleIn(InSchema):
    participant_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required.")
    scheduled_visit_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required.")
    sample_type_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required.")
    barcode: str = Field("", max_length=60, description="Required: the sample's id as on its label.")
    collected_at: dt.datetime | None = Field(None, description="Required, with its UTC offset.")
    note: str = ""
    reason: str = ""

    @field_validator("collected_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class SampleOut(Schema):
    id: int
    study_id: int
    study_site_id: int
    participant_id: int
    participant_number: str
    scheduled_visit_id: int
    sample_type: str
    barcode: str
    collected_at: dt.datetime
    collected_by: str
    shipment_id: int | None
    version: int


class ReadingIn(Schema):
    at: dt.datetime
    celsius: Decimal = Field(ge=-273, le=100)

    @field_validator("at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class ShipmentIn(InSchema):
    laboratory_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER, description="Required.")
    barcodes: list[str] = Field([], max_length=2000, description="Required: the samples in the shipment.")
    courier: str = Field("", max_length=100)
    tracking_number: str = Field("", max_length=100, description="Required.")
    shipped_at: dt.datetime | None = Field(None, description="Required, with its UTC offset.")
    export_permit_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    import_permit_id: int | None = Field(None, ge=1, le=LARGEST_INTEGER)
    temperature_log: list[ReadingIn] = Field([], max_length=10000)
    reason: str = ""

    @field_validator("shipped_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class CustodyIn(InSchema):
    handed_over_at: dt.datetime | None = Field(None, description="Required, with its UTC offset.")
    from_party: str = Field("", max_length=200)
    to_party: str = Field("", max_length=200)
    location: str = Field("", max_length=200)
    note: str = ""
    reason: str = ""

    @field_validator("handed_over_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class TemperatureLogIn(InSchema):
    readings: list[ReadingIn] = Field([], max_length=10000)
    reason: str = required_reason("Why the log is recorded or replaced; kept on the audit trail.")
    version: RecordVersion | None = Field(None, description="The `version` you read (or send If-Match).")


class ReceivedIn(Schema):
    barcode: str = Field(max_length=60)
    condition: Condition = "good"


class ReceiptIn(InSchema):
    received: list[ReceivedIn] = Field([], max_length=2000, description="The samples that arrived.")
    received_at: dt.datetime | None = Field(None, description="Required, with its UTC offset.")
    received_by: str = Field("", max_length=200)
    receipt_condition: str = ""
    reason: str = ""

    @field_validator("received_at")
    @classmethod
    def _with_offset(cls, value):
        return _aware(value)


class CustodyOut(Schema):
    id: int
    handed_over_at: dt.datetime
    from_party: str
    to_party: str
    location: str
    note: str


class ItemOut(Schema):
    barcode: str
    participant_number: str
    sample_type: str
    received: bool | None
    condition: str


class ShipmentOut(Schema):
    """A shipment. `items` (the samples with their participants) is null for callers who may not read
    participants' samples; the counts are given to all."""

    id: int
    study_id: int
    study_site_id: int
    laboratory_id: int
    number: str
    route: str
    courier: str
    tracking_number: str
    shipped_at: dt.datetime
    export_permit_id: int | None
    import_permit_id: int | None
    status: str
    sample_count: int
    received_count: int | None
    received_at: dt.datetime | None
    received_by: str
    receipt_condition: str
    temperature_log: list[dict]
    temperature_excursions: list[dict]
    custody: list[CustodyOut]
    items: list[ItemOut] | None
    version: int


class ShipmentListItem(Schema):
    id: int
    study_site_id: int
    laboratory_id: int
    number: str
    route: str
    tracking_number: str
    shipped_at: dt.datetime
    status: str
    sample_count: int
    received_count: int | None


class DiscrepancyOut(Schema):
    barcode: str
    participant_number: str
    shipment_number: str
    state: str


class SiteReconciliationOut(Schema):
    study_site_id: int
    site_number: str
    collected: int
    waiting: int
    shipped: int
    in_transit: int
    received: int
    discrepancy_count: int
    discrepancies: list[DiscrepancyOut] | None = Field(description="Null when hidden from the caller.")


class ReconciliationOut(Schema):
    study_id: int
    subject_hidden: bool
    sites: list[SiteReconciliationOut]
