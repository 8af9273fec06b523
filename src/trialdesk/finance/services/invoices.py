"""Site invoices for invoiceable items, matched to the fee schedule, approved or disputed with a reason."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import FeeSchedule, InvoiceStatus, SiteInvoice
from trialdesk.finance.permissions import ONLY_MANAGERS, ONLY_SITE, can_manage_finance, can_submit_for_site
from trialdesk.finance.rules import money
from trialdesk.finance.services import duties

DECISIONS = (InvoiceStatus.APPROVED, InvoiceStatus.DISPUTED)


def schedule_on(study_site, day: dt.date) -> FeeSchedule | None:
    schedules = list(FeeSchedule.objects.filter(study_site=study_site).order_by("effective_on"))
    if not schedules:
        return None
    found = schedules[0]
    for schedule in schedules:
        if schedule.effective_on <= day:
            found = schedule
    return found


@transaction.atomic
def submit_site_invoice(
    *,
    study_site,
    by: User,
    number: str,
    item_code: str,
    invoice_on: dt.date,
    amount,
    currency: str = "",
    description: str = "",
) -> SiteInvoice:
    """Enter a site's invoice. Refused, naming the field, for an item not in the site's fee schedule, a
    negative amount or a currency other than the schedule's; nothing saved."""
    require(can_submit_for_site(by, study_site.study_id, study_site.pk), gettext(ONLY_SITE))
    errors = {}
    try:
        value = money.parse_amount(amount)
    except ValueError as error:
        errors["amount"], value = str(error), None
    schedule = schedule_on(study_site, invoice_on) if isinstance(invoice_on, dt.date) else None
    scheduled = None
    if schedule is None:
        errors["item_code"] = gettext(
            "The site has no fee schedule, so no invoiceable item; enter its fee schedule first."
        )
    else:
        items = schedule.invoiceable or {}
        if item_code not in items:
            known = ", ".join(sorted(items)) or gettext("none")
            errors["item_code"] = gettext(
                "%(item)s is not in the site's fee schedule (invoiceable items: %(known)s)."
            ) % {"item": item_code or gettext("This item"), "known": known}
        elif items[item_code] is not None:
            scheduled = money.parse_amount(items[item_code])
        currency = currency or schedule.currency
        if currency != schedule.currency:
            errors["currency"] = gettext("The site is paid in %(currency)s; invoice in that currency.") % {
                "currency": schedule.currency
            }
    if errors:
        raise ValidationError(errors)
    invoice = SiteInvoice(
        study_id=study_site.study_id,
        study_site=study_site,
        number=(number or "").strip(),
        item_code=item_code,
        description=description,
        invoice_on=invoice_on,
        amount=money.rounded(value, currency),
        currency=currency,
        scheduled_amount=scheduled,
    )
    return records.create_record(invoice, by=by, reason="invoice received")


@transaction.atomic
def decide_site_invoice(
    *, invoice: SiteInvoice, by: User, decision: str, reason: str = "", expected_version: int | None = None
) -> SiteInvoice:
    """Approve an invoice (the next generation earns its line) or dispute it, saying why. Refused, naming
    `decision`, to whoever entered the invoice (segregation of duties: services.duties)."""
    require(can_manage_finance(by, invoice.study_id), gettext(ONLY_MANAGERS))
    duties.refuse_own(invoice, by=by, field="decision", message=duties.OWN_INVOICE)
    errors = {}
    if decision not in DECISIONS:
        errors["decision"] = gettext("Decide approved or disputed.")
    if invoice.status == InvoiceStatus.APPROVED:
        errors["decision"] = gettext(
            "This invoice is approved already; a correction is a new invoice or a credit note."
        )
    if decision == InvoiceStatus.DISPUTED and not (reason or "").strip():
        errors["reason"] = gettext("Say why the invoice is disputed: the site is told.")
    if errors:
        raise ValidationError(errors)
    return records.update_record(
        invoice,
        changes={
            "status": decision,
            "decision_reason": reason.strip(),
            "decided_on": invoice.study_site.local_today(),
        },
        by=by,
        reason=reason.strip() or f"invoice {decision}",
        expected_version=expected_version,
        action=decision,
    )
