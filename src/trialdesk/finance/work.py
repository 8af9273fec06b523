""" "My work" from finance: invoices to decide, payment runs to approve or pay, payables falling due or
overdue (one item per site), and holdbacks to release at closed sites. Only for the people who manage a
study's finance (its CRM and finance staff); the site's own staff see their payables on the site page."""

import datetime as dt

from django.db.models import Count, Min, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from trialdesk.core.extensions import WorkItem, WorkSource
from trialdesk.core.scoping import is_administrator, role_facts
from trialdesk.finance.models import (
    InvoiceStatus,
    PayableLine,
    PaymentRun,
    RunStatus,
    SiteInvoice,
    VendorInvoice,
)
from trialdesk.finance.permissions import FINANCE_MANAGERS
from trialdesk.finance.rules import money
from trialdesk.finance.selectors import UNPAID
from trialdesk.sites.rules import FINAL_STATUSES

DUE_WITHIN_DAYS = 14


def managed_studies(user) -> list[int]:
    if not user.is_authenticated or is_administrator(user):
        return []  # administrators are not a study's finance staff: nothing is their work by default
    return [sid for sid, roles in role_facts(user).study_roles.items() if roles & FINANCE_MANAGERS]


def _page(name: str, study_id: int, query: str = "") -> str:
    return reverse(name, kwargs={"study_id": study_id}) + query


def invoices_to_decide(user, today) -> list[WorkItem]:
    studies = managed_studies(user)
    items = []
    for invoice in SiteInvoice.objects.filter(
        study_id__in=studies, status=InvoiceStatus.SUBMITTED
    ).select_related("study", "study_site"):
        due = invoice.invoice_on + dt.timedelta(days=14)
        items.append(
            WorkItem(
                "finance_invoices",
                gettext("Decide invoice %(number)s of site %(site_number)s (%(amount)s)")
                % {
                    "number": invoice.number,
                    "site_number": invoice.study_site.site_number,
                    "amount": invoice.amount_shown,
                },
                due,
                reverse("finance_site_invoice", kwargs={"site_invoice_id": invoice.pk}),
                invoice.study.code,
                due < today,
            )
        )
    for invoice in VendorInvoice.objects.filter(
        contract__study_id__in=studies, status=InvoiceStatus.SUBMITTED
    ).select_related("contract__study"):
        due = invoice.invoice_on + dt.timedelta(days=30)
        contract = invoice.contract
        items.append(
            WorkItem(
                "finance_invoices",
                gettext("Decide invoice %(number)s of %(vendor)s (%(amount)s)")
                % {
                    "number": invoice.number,
                    "vendor": contract.vendor,
                    "amount": money.shown(invoice.amount, contract.currency),
                },
                due,
                reverse("finance_vendor_contract", kwargs={"vendor_contract_id": contract.pk}),
                contract.study.code,
                due < today,
            )
        )
    return items


def runs_to_finish(user, today) -> list[WorkItem]:
    runs = PaymentRun.objects.filter(
        study_id__in=managed_studies(user), status__in=(RunStatus.DRAFT, RunStatus.APPROVED)
    ).select_related("study", "study_site")
    return [
        WorkItem(
            "finance_payment_runs",
            (
                gettext("Approve %(number)s to site %(site_number)s (%(total)s)")
                if run.status == RunStatus.DRAFT
                else gettext("Pay %(number)s to site %(site_number)s (%(total)s)")
            )
            % {"number": run.number, "site_number": run.study_site.site_number, "total": run.total_shown},
            run.created_at.date(),
            reverse("finance_payment_run", kwargs={"payment_run_id": run.pk}),
            run.study.code,
            False,
        )
        for run in runs
    ]


def payments_due(user, today) -> list[WorkItem]:
    """One item per site with unpaid lines due within two weeks or overdue (one query)."""
    rows = (
        PayableLine.objects.filter(
            UNPAID,
            study_id__in=managed_studies(user),
            payable__gt=0,
            due_on__lte=today + dt.timedelta(DUE_WITHIN_DAYS),
        )
        .values("study_id", "study__code", "study_site_id", "study_site__site_number", "currency")
        .annotate(first_due=Min("due_on"), n=Count("id"), total=Sum("payable"))
        .order_by("first_due")
    )
    return [
        WorkItem(
            "finance_payments_due",
            ngettext(
                "Pay site %(site_number)s: %(n)s line, %(total)s",
                "Pay site %(site_number)s: %(n)s lines, %(total)s",
                row["n"],
            )
            % {
                "site_number": row["study_site__site_number"],
                "n": row["n"],
                "total": money.shown(row["total"] or 0, row["currency"]),
            },
            row["first_due"],
            _page(
                "finance_payables", row["study_id"], f"?site={row['study_site_id']}&state=unpaid&sort=due_on"
            ),
            row["study__code"],
            row["first_due"] < today,
        )
        for row in rows
    ]


def holdbacks_to_release(user, today) -> list[WorkItem]:
    """Closed sites still holding back money: their close-out releases it (generate payables) and a run
    pays it."""
    rows = (
        PayableLine.objects.filter(study_id__in=managed_studies(user), study_site__status__in=FINAL_STATUSES)
        .values("study_id", "study__code", "study_site_id", "study_site__site_number", "currency")
        .annotate(
            held=Sum("holdback"), unpaid_release=Sum("payable", filter=UNPAID & Q(kind="holdback_release"))
        )
        .order_by()
    )
    items = []
    for row in rows:
        held, unpaid = row["held"] or 0, row["unpaid_release"] or 0
        if held <= 0 and unpaid <= 0:
            continue
        amount = held if held > 0 else unpaid
        items.append(
            WorkItem(
                "finance_holdbacks",
                gettext("Release the holdback of closed site %(site_number)s (%(amount)s)")
                % {
                    "site_number": row["study_site__site_number"],
                    "amount": money.shown(amount, row["currency"]),
                },
                today,
                _page("finance_payables", row["study_id"], f"?site={row['study_site_id']}&state=unpaid"),
                row["study__code"],
                False,
            )
        )
    return items


SOURCES = (
    WorkSource("finance_invoices", "Invoices to approve or dispute", invoices_to_decide, order=60),
    WorkSource("finance_payment_runs", "Payment runs to approve or pay", runs_to_finish, order=61),
    WorkSource("finance_payments_due", "Site payments due", payments_due, order=62),
    WorkSource("finance_holdbacks", "Holdbacks to release", holdbacks_to_release, order=63),
)
