"""Finance records: budgets, fee schedules, exchange rates, payables and payment runs, invoices, vendors."""

from trialdesk.finance.models.budgets import BudgetCategory, BudgetVersion, ExchangeRate, FeeSchedule
from trialdesk.finance.models.payables import (
    InvoiceStatus,
    PayableLine,
    PayableMonth,
    PaymentRun,
    ProcedureRecord,
    RunStatus,
    SiteInvoice,
)
from trialdesk.finance.models.vendors import (
    ChangeOrder,
    ContractMilestone,
    PerformanceIndicator,
    VendorContract,
    VendorInvoice,
    VendorService,
)

__all__ = [
    "BudgetCategory",
    "BudgetVersion",
    "ChangeOrder",
    "ContractMilestone",
    "ExchangeRate",
    "FeeSchedule",
    "InvoiceStatus",
    "PayableLine",
    "PayableMonth",
    "PaymentRun",
    "PerformanceIndicator",
    "ProcedureRecord",
    "RunStatus",
    "SiteInvoice",
    "VendorContract",
    "VendorInvoice",
    "VendorService",
]
