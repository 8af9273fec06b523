"""Pages of the finance app."""

from django.urls import path

from trialdesk.finance.views import pages, runs, vendors

urlpatterns = [
    path("studies/<int:study_id>/finance/payables/", pages.payables_list, name="finance_payables"),
    path("studies/<int:study_id>/finance/generate/", pages.generate, name="finance_generate"),
    path("studies/<int:study_id>/finance/budget/new/", pages.budget_create, name="finance_budget_create"),
    path("studies/<int:study_id>/finance/budget.xlsx", pages.budget_export, name="finance_budget_export"),
    path("studies/<int:study_id>/finance/payment-runs/", runs.runs_list, name="finance_runs"),
    path("studies/<int:study_id>/finance/invoices/", pages.site_invoices, name="finance_site_invoices"),
    path(
        "studies/<int:study_id>/finance/contracts/new/",
        vendors.contract_create,
        name="finance_contract_create",
    ),
    path(
        "study-sites/<int:study_site_id>/fee-schedules/new/",
        pages.fee_schedule_create,
        name="finance_fee_schedule_create",
    ),
    path(
        "study-sites/<int:study_site_id>/procedures/new/",
        pages.procedure_create,
        name="finance_procedure_create",
    ),
    path(
        "fee-schedules/<int:fee_schedule_id>/edit/", pages.fee_schedule_edit, name="finance_fee_schedule_edit"
    ),
    path("payment-runs/<int:payment_run_id>/", runs.run_detail, name="finance_payment_run"),
    path("payment-runs/<int:payment_run_id>/approve/", runs.run_approve, name="finance_payment_run_approve"),
    path("payment-runs/<int:payment_run_id>/pay/", runs.run_pay, name="finance_payment_run_pay"),
    path("payment-runs/<int:payment_run_id>/cancel/", runs.run_cancel, name="finance_payment_run_cancel"),
    path(
        "payment-runs/<int:payment_run_id>/remittance.pdf",
        runs.remittance,
        {"fmt": "pdf"},
        name="finance_remittance_pdf",
    ),
    path(
        "payment-runs/<int:payment_run_id>/remittance.xlsx",
        runs.remittance,
        {"fmt": "xlsx"},
        name="finance_remittance_xlsx",
    ),
    path("site-invoices/<int:site_invoice_id>/", pages.site_invoice, name="finance_site_invoice"),
    path(
        "vendor-contracts/<int:vendor_contract_id>/", vendors.contract_detail, name="finance_vendor_contract"
    ),
    path(
        "vendor-contracts/<int:vendor_contract_id>/milestones/<int:contract_milestone_id>/deliver/",
        vendors.milestone_deliver,
        name="finance_milestone_deliver",
    ),
    path(
        "vendor-invoices/<int:vendor_invoice_id>/decide/",
        vendors.vendor_invoice_decide,
        name="finance_vendor_invoice_decide",
    ),
    path("finance/exchange-rates/", pages.exchange_rates, name="finance_exchange_rates"),
]
