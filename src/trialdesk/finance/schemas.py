"""Input and output schemas of the finance API. Amounts are strings with the currency's decimals (never
floats); amounts sent in may be JSON numbers or strings and are read as exact decimals."""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery, RecordVersion

# A sum of money or a percentage: a JSON number, or text such as "12.50" (pydantic checks it is a number).
Amount = Decimal


class FinanceOut(Schema):
    hidden: bool = Field(description="True when the reader may not see this study's budget figures.")
    currency: str | None = None
    budget: str | None = None
    spent: str | None = None
    committed: str | None = None
    eac: dict[str, str] | None = Field(
        None, description='Estimate at completion at the "0.1", "0.5", "0.9" quantiles.'
    )
    variance: str | None = Field(
        None, description="Variance at completion: budget − EAC(0.5); negative is over budget."
    )
    participants_basis: str | None = None


class BudgetVersionIn(InSchema):
    amounts: dict[str, Amount] = Field(
        description="{category: amount}: sites, vendors, pass_through, ip, monitoring_travel, other"
    )
    currency: str | None = Field(None, max_length=20, description="ISO 4217; the first version sets it.")
    effective_on: dt.date | None = None
    protocol_version_id: int | None = Field(
        None, description="The amendment that brought this budget version."
    )
    note: str = Field("", max_length=2000)
    reason: str = Field("", max_length=2000, description="Required after the first version.")


class BudgetVersionOut(Schema):
    id: int
    number: int
    currency: str
    amounts: dict
    total: str
    protocol_version_id: int | None
    effective_on: dt.date
    version: int


class FeeScheduleIn(InSchema):
    effective_on: dt.date
    currency: str = Field(max_length=20, description="ISO 4217 code, e.g. EUR")
    overhead_percent: Amount = 0
    holdback_percent: Amount = 0
    payment_terms_days: int = Field(30, ge=0, le=3650)
    startup_fee: Amount | None = None
    closeout_fee: Amount | None = None
    screen_failure_fee: Amount | None = None
    screen_failure_max_paid: int | None = Field(None, ge=0, le=100000)
    visit_fees: dict[str, Amount] = {}
    procedure_fees: dict[str, Amount] = {}
    invoiceable: dict[str, Amount | None] = Field({}, description="{item code: fee, or null for at cost}")
    note: str = Field("", max_length=2000)


class FeeSchedulePatch(InSchema):
    effective_on: dt.date | None = None
    currency: str | None = Field(None, max_length=20)
    overhead_percent: Amount | None = None
    holdback_percent: Amount | None = None
    payment_terms_days: int | None = Field(None, ge=0, le=3650)
    startup_fee: Amount | None = None
    closeout_fee: Amount | None = None
    screen_failure_fee: Amount | None = None
    screen_failure_max_paid: int | None = Field(None, ge=0, le=100000)
    visit_fees: dict[str, Amount] | None = None
    procedure_fees: dict[str, Amount] | None = None
    invoiceable: dict[str, Amount | None] | None = None
    note: str | None = Field(None, max_length=2000)
    reason: str = Field(max_length=2000)
    version: RecordVersion | None = None


class FeeScheduleOut(Schema):
    id: int
    study_site_id: int
    effective_on: dt.date
    currency: str
    overhead_percent: str
    holdback_percent: str
    payment_terms_days: int
    startup_fee: str | None
    closeout_fee: str | None
    screen_failure_fee: str | None
    screen_failure_max_paid: int | None
    visit_fees: dict
    procedure_fees: dict
    invoiceable: dict
    version: int


class PayableFilters(PageQuery):
    study_site_id: int | None = None
    kind: str | None = Field(None, max_length=20)
    state: str | None = Field(None, max_length=10, description="unpaid, overdue, in_run or paid")


class PayableOut(Schema):
    id: int
    study_site_id: int
    source: str
    kind: str
    code: str
    participant: str
    earned_on: dt.date
    due_on: dt.date
    currency: str
    fee: str
    overhead: str
    holdback: str
    payable: str
    study_currency: str
    rate: str | None
    rate_on: dt.date | None
    study_payable: str
    reverses_id: int | None
    payment_run_id: int | None


class GenerateIn(InSchema):
    reason: str = Field("", max_length=2000)


class GenerateOut(Schema):
    generation: str
    lines_added: int
    reversals: int
    unmatched: list[dict]
    sites_without_schedule: list[str]


class PaymentRunIn(InSchema):
    lines: list[int] = Field(description="Ids of the site's unpaid payable lines.")
    note: str = Field("", max_length=2000)


class PaymentRunOut(Schema):
    id: int
    number: str
    study_site_id: int
    status: str
    currency: str
    total: str
    line_count: int
    approved_by: str | None
    approved_at: dt.datetime | None
    paid_on: dt.date | None
    payment_reference: str
    version: int


class ApproveIn(InSchema):
    password: str = Field(max_length=200, description="The approver's password (electronic signature).")
    version: RecordVersion | None = None


class PaidIn(InSchema):
    paid_on: dt.date
    payment_reference: str = Field(max_length=100)
    version: RecordVersion | None = None


class CancelIn(InSchema):
    reason: str = Field(max_length=2000)
    version: RecordVersion | None = None


class SiteInvoiceIn(InSchema):
    number: str = Field(max_length=40)
    item_code: str = Field(max_length=40)
    invoice_on: dt.date
    amount: Amount
    currency: str = Field("", max_length=20)
    description: str = Field("", max_length=200)


class SiteInvoiceOut(Schema):
    id: int
    study_site_id: int
    number: str
    item_code: str
    description: str
    invoice_on: dt.date
    amount: str
    currency: str
    scheduled_amount: str | None
    status: str
    decision_reason: str
    version: int


class InvoiceDecisionIn(InSchema):
    decision: str = Field(max_length=20, description="approved or disputed")
    reason: str = Field("", max_length=2000, description="Required to dispute.")
    version: RecordVersion | None = None


class ContractIn(InSchema):
    vendor: str = Field(max_length=200)
    service: str = Field(max_length=16, description="cro, central_lab, imaging, irt, ecoa, courier, other")
    reference: str = Field("", max_length=60)
    scope: str = Field("", max_length=5000)
    currency: str = Field(max_length=20, description="ISO 4217 code, e.g. EUR")
    value: Amount
    start_on: dt.date
    end_on: dt.date | None = None


class VendorMilestoneOut(Schema):
    id: int
    name: str
    deliverable: str
    due_on: dt.date
    amount: str
    delivered_on: dt.date | None


class ContractOut(Schema):
    id: int
    vendor: str
    service: str
    reference: str
    currency: str
    value: str
    value_with_change_orders: str
    invoiced: str
    delivered: str
    start_on: dt.date
    end_on: dt.date | None
    milestones: list[VendorMilestoneOut]
    version: int


class VendorMilestoneIn(InSchema):
    name: str = Field(max_length=200)
    deliverable: str = Field("", max_length=5000)
    due_on: dt.date
    amount: Amount


class ChangeOrderIn(InSchema):
    number: str = Field(max_length=20)
    amount: Amount
    reason: str = Field(max_length=2000)
    approved_on: dt.date


class IndicatorIn(InSchema):
    name: str = Field(max_length=200)
    unit: str = Field("", max_length=40)
    target: Amount
    actual: Amount | None = None
    higher_is_better: bool = True


class VendorInvoiceIn(InSchema):
    number: str = Field(max_length=40)
    invoice_on: dt.date
    amount: Amount
    milestone_id: int | None = None


class CreatedOut(Schema):
    id: int
    version: int


class RateFilters(PageQuery):
    base: str | None = Field(None, max_length=3)
    quote: str | None = Field(None, max_length=3)


class RateIn(InSchema):
    base: str = Field(max_length=20)
    quote: str = Field(max_length=20)
    on: dt.date
    rate: Amount
    source: str = Field("", max_length=200)


class RateOut(Schema):
    id: int
    base: str
    quote: str
    on: dt.date
    rate: str
    source: str


class ProcedureIn(InSchema):
    participant_id: int
    code: str = Field(max_length=40)
    done_on: dt.date
    note: str = Field("", max_length=2000)


class ProcedureOut(Schema):
    id: int
    participant_id: int
    code: str
    done_on: dt.date
