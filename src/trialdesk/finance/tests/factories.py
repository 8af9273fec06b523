"""Finance records for tests: a budget, fee schedules, work done and the payables it earns."""

import datetime as dt
from decimal import Decimal

from trialdesk.finance.services import budgets, invoices, payables, payments

PASSWORD = "correct horse battery"  # every finance test user's, for electronic signatures
FEES = {"SCR": "500", "BL": "800", "W2": "1200", "W4": "1200", "EOS": "900"}


def make_budget(study, *, by, currency="EUR", sites=Decimal(100000), **amounts):
    return budgets.save_budget_version(
        study=study, by=by, currency=currency, amounts={"sites": sites, **amounts}, reason="test budget"
    )


def make_schedule(site, *, by, currency="EUR", effective_on=dt.date(2025, 1, 1), **values):
    defaults = {
        "overhead_percent": Decimal(25),
        "holdback_percent": Decimal(10),
        "payment_terms_days": 30,
        "startup_fee": "5000",
        "closeout_fee": "2000",
        "screen_failure_fee": "300",
        "screen_failure_max_paid": 2,
        "visit_fees": dict(FEES),
        "procedure_fees": {"MRI": "800"},
        "invoiceable": {"ETHICS": "1500", "COURIER": None},
    }
    return budgets.create_fee_schedule(
        study_site=site, by=by, effective_on=effective_on, currency=currency, **{**defaults, **values}
    )


def approved_invoice(site, *, by, number="INV-1", item_code="ETHICS", amount="1500", on=dt.date(2025, 3, 5)):
    invoice = invoices.submit_site_invoice(
        study_site=site, by=by, number=number, item_code=item_code, invoice_on=on, amount=amount
    )
    return invoices.decide_site_invoice(invoice=invoice, by=by, decision="approved")


def paid_run(site, *, by, password, paid_on=None, kind="visit"):
    """A run of all the site's unpaid lines of `kind`, approved and paid."""
    lines = site.payable_lines.filter(payment_run__isnull=True, kind=kind).values_list("pk", flat=True)
    run = payments.create_payment_run(study_site=site, line_ids=list(lines), by=by)
    run = payments.approve_payment_run(run=run, by=by, password=password)
    return payments.mark_run_paid(
        run=run, by=by, paid_on=paid_on or site.local_today(), payment_reference="SEPA-TEST-1"
    )


def generate(study, *, by):
    return payables.generate_payables(study=study, by=by, reason="test")
