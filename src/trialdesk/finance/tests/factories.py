"""Finance records for tests: a budget, fee schedules, work done and the payables it earns."""

import datetime as dt
from decimal import Decimal

from tests.factories import PASSWORD as TEST_PASSWORD
from tests.factories import make_user
from trialdesk.core.roles import Role
from trialdesk.core.services import assign_role
from trialdesk.finance.services import budgets, invoices, payables, payments

# Every test user's password (tests.factories.make_user), re-entered for electronic signatures.
PASSWORD = TEST_PASSWORD
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


def approved_invoice(
    site, *, by, decider, number="INV-1", item_code="ETHICS", amount="1500", on=dt.date(2025, 3, 5)
):
    """An invoice entered by `by` and approved by `decider` (not the same person: services.duties)."""
    invoice = invoices.submit_site_invoice(
        study_site=site, by=by, number=number, item_code=item_code, invoice_on=on, amount=amount
    )
    return invoices.decide_site_invoice(invoice=invoice, by=decider, decision="approved")


def paid_run(site, *, by, approver, password, paid_on=None, kind="visit"):
    """A run of all the site's unpaid lines of `kind`, drafted by `by`, approved by `approver` (another
    person, signing with `password`: services.duties) and marked paid by `by`."""
    lines = site.payable_lines.filter(payment_run__isnull=True, kind=kind).values_list("pk", flat=True)
    run = payments.create_payment_run(study_site=site, line_ids=list(lines), by=by)
    run = payments.approve_payment_run(run=run, by=approver, password=password)
    return payments.mark_run_paid(
        run=run, by=by, paid_on=paid_on or site.local_today(), payment_reference="SEPA-TEST-1"
    )


def generate(study, *, by):
    return payables.generate_payables(study=study, by=by, reason="test")


def finance_person(world, username="finance_fay", study=None):
    """A finance user of study A (or `study`): manages its budgets and payments like the CRM."""
    person = make_user(username)
    assign_role(user=person, role=Role.FINANCE, study=study or world.study_a, by=world.admin)
    return person


def coordinator_at(site, *, by, username="coordinator_a1"):
    """Site staff: a coordinator of `site` (reads that site's payables, runs and invoices)."""
    person = make_user(username)
    assign_role(user=person, role=Role.COORDINATOR, study_site=site, by=by)
    return person
