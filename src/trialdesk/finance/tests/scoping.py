"""Objects of the finance app for tests/test_scoping_every_route.py, and who may see each.

Finance records are read by the study's CRM, finance staff and auditors, and a site's by its coordinators
and investigators; monitors, safety officers and sponsor viewers see none of them (sponsor viewers read
totals only, on the Finance tab and at GET /studies/{id}/finance). Payable lines name participants
(101-001, 201-001): the leak search checks that nobody else reads those numbers in finance responses.
"""

import datetime as dt


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    from tests.test_scoping_every_route import Case
    from trialdesk.finance.services import budgets, payments, vendors
    from trialdesk.finance.tests import factories

    admin = world.admin
    for study in (world.study_a, world.study_b):
        factories.make_budget(study, by=admin)
    schedules = {
        site.pk: factories.make_schedule(site, by=admin)
        for site in (world.site_a1, world.site_a2, world.site_b1)
    }
    runs, invoices = {}, {}
    # An invoice is decided by someone other than who entered it (services.duties).
    entered_and_decided = {world.site_a1.pk: (admin, world.crm), world.site_b1.pk: (world.coordinator, admin)}
    for site, participant in ((world.site_a1, participant_a1), (world.site_b1, participant_b1)):
        budgets.record_procedure(participant=participant, by=admin, code="MRI", done_on=dt.date(2025, 3, 10))
        entered_by, decider = entered_and_decided[site.pk]
        invoices[site.pk] = factories.approved_invoice(
            site, by=entered_by, decider=decider, number=f"INV-{site.site_number}"
        )
        factories.generate(site.study, by=admin)
        lines = list(site.payable_lines.values_list("pk", flat=True))
        runs[site.pk] = payments.create_payment_run(study_site=site, line_ids=lines, by=admin)
    contract = vendors.create_contract(
        study=world.study_a,
        by=admin,
        vendor="Helix CRO",
        service="cro",
        currency="EUR",
        value="100000",
        start_on=dt.date(2025, 1, 1),
    )
    milestone = vendors.add_milestone(
        contract=contract, by=admin, name="Set-up", due_on=dt.date(2025, 6, 1), amount="10000"
    )
    vendor_invoice = vendors.submit_vendor_invoice(
        contract=contract,
        by=admin,
        number="HX-1",
        invoice_on=dt.date(2025, 6, 2),
        amount="10000",
        milestone=milestone,
    )
    finance_a = frozenset({"admin", "crm", "auditor"})
    finance_b = frozenset({"admin", "coordinator"})
    return {
        "payment_run_id": [
            Case("a payment run to A1", runs[world.site_a1.pk].pk, finance_a),
            Case("a payment run to B1", runs[world.site_b1.pk].pk, finance_b),
        ],
        "site_invoice_id": [
            Case("an invoice of A1", invoices[world.site_a1.pk].pk, finance_a),
            Case("an invoice of B1", invoices[world.site_b1.pk].pk, finance_b),
        ],
        "fee_schedule_id": [
            Case("the fee schedule of A1", schedules[world.site_a1.pk].pk, finance_a),
            Case("the fee schedule of A2", schedules[world.site_a2.pk].pk, finance_a),
            Case("the fee schedule of B1", schedules[world.site_b1.pk].pk, finance_b),
        ],
        "vendor_contract_id": [
            Case(
                "a vendor contract of A", contract.pk, finance_a, (("contract_milestone_id", milestone.pk),)
            ),
        ],
        "vendor_invoice_id": [Case("a vendor invoice of A", vendor_invoice.pk, finance_a)],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/finance-figures/{study_id}"),
    ("GET", "/api/v1/studies/{study_id}/budget-versions"),
    ("POST", "/api/v1/studies/{study_id}/budget-versions"),
    ("GET", "/api/v1/studies/{study_id}/fee-schedules"),
    ("POST", "/api/v1/study-sites/{study_site_id}/fee-schedules"),
    ("GET", "/api/v1/fee-schedules/{fee_schedule_id}"),
    ("PATCH", "/api/v1/fee-schedules/{fee_schedule_id}"),
    ("GET", "/api/v1/studies/{study_id}/payables"),
    ("POST", "/api/v1/studies/{study_id}/payables/generate"),
    ("GET", "/api/v1/studies/{study_id}/payment-runs"),
    ("POST", "/api/v1/study-sites/{study_site_id}/payment-runs"),
    ("GET", "/api/v1/payment-runs/{payment_run_id}"),
    ("GET", "/api/v1/payment-runs/{payment_run_id}/lines"),
    ("POST", "/api/v1/payment-runs/{payment_run_id}/approve"),
    ("POST", "/api/v1/payment-runs/{payment_run_id}/pay"),
    ("POST", "/api/v1/payment-runs/{payment_run_id}/cancel"),
    ("GET", "/api/v1/studies/{study_id}/site-invoices"),
    ("POST", "/api/v1/study-sites/{study_site_id}/site-invoices"),
    ("GET", "/api/v1/site-invoices/{site_invoice_id}"),
    ("POST", "/api/v1/site-invoices/{site_invoice_id}/decide"),
    ("GET", "/api/v1/studies/{study_id}/vendor-contracts"),
    ("POST", "/api/v1/studies/{study_id}/vendor-contracts"),
    ("GET", "/api/v1/vendor-contracts/{vendor_contract_id}"),
    ("POST", "/api/v1/vendor-contracts/{vendor_contract_id}/milestones"),
    ("POST", "/api/v1/vendor-contracts/{vendor_contract_id}/change-orders"),
    ("POST", "/api/v1/vendor-contracts/{vendor_contract_id}/indicators"),
    ("POST", "/api/v1/vendor-contracts/{vendor_contract_id}/invoices"),
    ("POST", "/api/v1/vendor-invoices/{vendor_invoice_id}/decide"),
    ("GET", "/api/v1/exchange-rates"),
    ("POST", "/api/v1/exchange-rates"),
    ("GET", "/api/v1/study-sites/{study_site_id}/procedures"),
    ("POST", "/api/v1/study-sites/{study_site_id}/procedures"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {
    "study_id",
    "study_site_id",
    "fee_schedule_id",
    "payment_run_id",
    "site_invoice_id",
    "vendor_contract_id",
    "vendor_invoice_id",
}
