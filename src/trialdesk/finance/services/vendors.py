"""Vendor and CRO contracts: milestones and their delivery, change orders, indicators, invoices."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import (
    ChangeOrder,
    ContractMilestone,
    InvoiceStatus,
    PerformanceIndicator,
    VendorContract,
    VendorInvoice,
)
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.rules import money
from trialdesk.finance.services import duties

CONTRACT_FIELDS = ("vendor", "service", "reference", "scope", "currency", "value", "start_on", "end_on")


def _amount(value, field: str, *, allow_negative: bool = False):
    try:
        return money.parse_amount(value, allow_negative=allow_negative)
    except ValueError as error:
        raise ValidationError({field: str(error)}) from None


@transaction.atomic
def create_contract(*, study, by: User, **values) -> VendorContract:
    require(can_manage_finance(by, study.pk), gettext(ONLY_MANAGERS))
    records.only_fields(values, CONTRACT_FIELDS)
    if "value" in values:
        values["value"] = _amount(values["value"], "value")
    return records.create_record(VendorContract(study=study, **values), by=by, reason="contract entered")


@transaction.atomic
def add_milestone(
    *, contract: VendorContract, by: User, name: str, due_on: dt.date, amount, deliverable: str = ""
):
    require(can_manage_finance(by, contract.study_id), gettext(ONLY_MANAGERS))
    milestone = ContractMilestone(
        contract=contract, name=name, deliverable=deliverable, due_on=due_on, amount=_amount(amount, "amount")
    )
    return records.create_record(milestone, by=by, reason="contract milestone entered")


@transaction.atomic
def deliver_milestone(*, milestone: ContractMilestone, by: User, delivered_on: dt.date, reason: str = ""):
    require(can_manage_finance(by, milestone.contract.study_id), gettext(ONLY_MANAGERS))
    if delivered_on is None:
        raise ValidationError({"delivered_on": gettext("Give the day the deliverable was accepted.")})
    return records.update_record(
        milestone,
        changes={"delivered_on": delivered_on},
        by=by,
        reason=reason or "deliverable accepted",
        action="delivered",
    )


@transaction.atomic
def add_change_order(
    *, contract: VendorContract, by: User, number: str, amount, reason: str, approved_on: dt.date
):
    require(can_manage_finance(by, contract.study_id), gettext(ONLY_MANAGERS))
    if not (reason or "").strip():
        raise ValidationError({"reason": gettext("Say why the contract changes.")})
    order = ChangeOrder(
        contract=contract,
        number=number,
        amount=_amount(amount, "amount", allow_negative=True),
        reason=reason,
        approved_on=approved_on,
    )
    return records.create_record(order, by=by, reason=reason)


@transaction.atomic
def add_indicator(
    *,
    contract: VendorContract,
    by: User,
    name: str,
    target,
    unit: str = "",
    actual=None,
    higher_is_better: bool = True,
):
    require(can_manage_finance(by, contract.study_id), gettext(ONLY_MANAGERS))
    indicator = PerformanceIndicator(
        contract=contract,
        name=name,
        unit=unit,
        target=_amount(target, "target", allow_negative=True),
        actual=None if actual in (None, "") else _amount(actual, "actual", allow_negative=True),
        higher_is_better=higher_is_better,
    )
    return records.create_record(indicator, by=by, reason="performance indicator entered")


@transaction.atomic
def submit_vendor_invoice(
    *,
    contract: VendorContract,
    by: User,
    number: str,
    invoice_on: dt.date,
    amount,
    milestone: ContractMilestone | None = None,
) -> VendorInvoice:
    require(can_manage_finance(by, contract.study_id), gettext(ONLY_MANAGERS))
    invoice = VendorInvoice(
        contract=contract,
        milestone=milestone,
        number=(number or "").strip(),
        invoice_on=invoice_on,
        amount=money.rounded(_amount(amount, "amount"), contract.currency),
    )
    return records.create_record(invoice, by=by, reason="vendor invoice received")


@transaction.atomic
def decide_vendor_invoice(
    *, invoice: VendorInvoice, by: User, decision: str, reason: str = "", expected_version=None
) -> VendorInvoice:
    """Approve or dispute a vendor's invoice; refused, naming `decision`, to whoever entered it (segregation
    of duties: services.duties)."""
    require(can_manage_finance(by, invoice.contract.study_id), gettext(ONLY_MANAGERS))
    duties.refuse_own(invoice, by=by, field="decision", message=duties.OWN_INVOICE)
    errors = {}
    if decision not in (InvoiceStatus.APPROVED, InvoiceStatus.DISPUTED):
        errors["decision"] = gettext("Decide approved or disputed.")
    elif invoice.status == InvoiceStatus.APPROVED:
        errors["decision"] = gettext("This invoice is approved already.")
    if decision == InvoiceStatus.DISPUTED and not (reason or "").strip():
        errors["reason"] = gettext("Say why the invoice is disputed.")
    if errors:
        raise ValidationError(errors)
    from django.utils import timezone

    return records.update_record(
        invoice,
        changes={
            "status": decision,
            "decision_reason": (reason or "").strip(),
            "decided_on": timezone.localdate(),
        },
        by=by,
        reason=(reason or "").strip() or f"invoice {decision}",
        expected_version=expected_version,
        action=decision,
    )
