"""Reads of the finance app: lists scoped with `visible_to`, and a study's figures as totals.

Lists start from `Model.objects.visible_to(user)` (404 outside scope). The totals (`study_finance`,
`site_totals`, `budget_burn`) count every line of a study; callers ask `permissions.can_read_totals`
(or can_read_site_finance for one site) first, so a sponsor viewer sees totals and never a line.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from trialdesk.finance.models import (
    BudgetVersion,
    ChangeOrder,
    ExchangeRate,
    FeeSchedule,
    InvoiceStatus,
    PayableLine,
    PaymentRun,
    RunStatus,
    SiteInvoice,
    VendorContract,
    VendorInvoice,
)
from trialdesk.finance.rules import earnings, money, rates
from trialdesk.sites.models import StudySite

PAID = Q(payment_run__status=RunStatus.PAID)
UNPAID = Q(payment_run__isnull=True) | Q(payment_run__status=RunStatus.CANCELLED)
LINE_SORTS = {
    "earned_on": ("earned_on", "id"),
    "-earned_on": ("-earned_on", "-id"),
    "due_on": ("due_on", "id"),
    "-due_on": ("-due_on", "-id"),
    "payable": ("payable", "id"),
    "-payable": ("-payable", "-id"),
    "site": ("study_site__site_number", "earned_on", "id"),
    "kind": ("kind", "earned_on", "id"),
}


def rate_book(currencies: set[str]) -> rates.RateBook:
    """Every stored rate between the currencies, in one query."""
    rows = ExchangeRate.objects.filter(base__in=currencies, quote__in=currencies).values_list(
        "base", "quote", "on", "rate"
    )
    return rates.RateBook(rows)


def current_budget(study) -> BudgetVersion | None:
    return BudgetVersion.objects.filter(study=study).order_by("-number").first()


def lines_for(user, study, *, study_site=None, kind="", state="", sort="earned_on", today=None):
    """The study's payable lines the user may read, filtered and sorted as the payables page offers."""
    lines = (
        PayableLine.objects.visible_to(user).filter(study=study).select_related("study_site", "payment_run")
    )
    if study_site is not None:
        lines = lines.filter(study_site=study_site)
    if kind:
        lines = lines.filter(kind=kind)
    if state == "unpaid":
        lines = lines.filter(UNPAID)
    elif state == "paid":
        lines = lines.filter(PAID)
    elif state == "overdue":
        lines = lines.filter(UNPAID, due_on__lt=today or dt.date.max, payable__gt=0)
    elif state == "in_run":
        lines = lines.exclude(UNPAID).exclude(PAID)
    return lines.order_by(*LINE_SORTS.get(sort, LINE_SORTS["earned_on"]))


def runs_for(user, study):
    return PaymentRun.objects.visible_to(user).filter(study=study).select_related("study_site")


def site_invoices_for(user, study):
    return SiteInvoice.objects.visible_to(user).filter(study=study).select_related("study_site")


def schedules_for(user, study):
    return FeeSchedule.objects.visible_to(user).filter(study=study).select_related("study_site")


def contracts_for(user, study):
    return VendorContract.objects.visible_to(user).filter(study=study)


def budget_versions_for(user, study):
    return BudgetVersion.objects.visible_to(user).filter(study=study).select_related("protocol_version")


@dataclass
class SiteTotals:
    """One site's payables: in its own currency, and earned and paid in the study currency."""

    site_id: int
    site_number: str = ""
    currency: str = ""
    earned: Decimal = money.ZERO
    holdback_held: Decimal = money.ZERO
    payable: Decimal = money.ZERO
    paid: Decimal = money.ZERO
    unpaid: Decimal = money.ZERO
    overdue: Decimal = money.ZERO
    overdue_lines: int = 0
    study_earned: Decimal = money.ZERO
    study_paid: Decimal = money.ZERO
    mean_days_to_pay: float | None = None
    paid_lines: int = 0

    def shown(self, name: str) -> str:
        return money.shown(getattr(self, name), self.currency) if self.currency else "—"


def site_totals(study, today: dt.date, *, site_ids=None) -> dict[int, SiteTotals]:
    """Every site's (or `site_ids`') totals in three queries, whatever the number of lines."""
    lines = PayableLine.objects.filter(study=study)
    if site_ids is not None:
        lines = lines.filter(study_site_id__in=list(site_ids))
    rows = (
        lines.values("study_site_id", "currency")
        .annotate(
            earned=Sum(F("fee") + F("overhead")),
            holdback_held=Sum("holdback"),
            payable_total=Sum("payable"),
            paid=Sum("payable", filter=PAID),
            unpaid=Sum("payable", filter=UNPAID),
            overdue=Sum("payable", filter=UNPAID & Q(due_on__lt=today, payable__gt=0)),
            overdue_lines=Count("id", filter=UNPAID & Q(due_on__lt=today, payable__gt=0)),
            study_earned=Sum("study_earned"),
            study_paid=Sum("study_payable", filter=PAID),
        )
        .order_by()
    )
    found: dict[int, SiteTotals] = {}
    for row in rows:
        currency = row["currency"]

        def r(name, row=row, currency=currency):
            return money.rounded(row[name] or 0, currency)

        found[row["study_site_id"]] = SiteTotals(
            site_id=row["study_site_id"],
            currency=currency,
            earned=r("earned"),
            holdback_held=r("holdback_held"),
            payable=r("payable_total"),
            paid=r("paid"),
            unpaid=r("unpaid"),
            overdue=r("overdue"),
            overdue_lines=row["overdue_lines"],
            study_earned=money.Decimal(row["study_earned"] or 0),
            study_paid=money.Decimal(row["study_paid"] or 0),
        )
    _add_days_to_pay(lines, found)
    return found


def _add_days_to_pay(lines, found: dict[int, SiteTotals]) -> None:
    """Mean calendar days from earned to paid per site, over paid lines that pay something (one query of
    (site, paid on, earned on, count) groups, far fewer rows than lines)."""
    groups = (
        lines.filter(PAID, payable__gt=0, reverses__isnull=True)
        .values_list("study_site_id", "payment_run__paid_on", "earned_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    days, counts = defaultdict(int), defaultdict(int)
    for site_id, paid_on, earned_on, n in groups:
        days[site_id] += (paid_on - earned_on).days * n
        counts[site_id] += n
    for site_id, n in counts.items():
        if site_id in found:
            found[site_id].mean_days_to_pay = round(days[site_id] / n, 1)
            found[site_id].paid_lines = n


@dataclass
class VendorTotals:
    contract: VendorContract
    value: Decimal  # contract value with its change orders
    invoiced: Decimal  # approved invoices
    delivered: Decimal  # milestones delivered
    study_invoiced: Decimal | None  # in the study currency (None: a rate is missing)
    study_remaining: Decimal | None

    @property
    def ahead_of_delivery(self) -> bool:
        return self.invoiced > self.delivered


def vendor_totals(study, currency: str | None) -> list[VendorTotals]:
    """Each contract's value, approved invoices and delivered milestones, in four queries."""
    contracts = list(VendorContract.objects.filter(study=study).prefetch_related("milestones"))
    changes = dict(
        ChangeOrder.objects.filter(contract__study=study)
        .values_list("contract_id")
        .annotate(t=Sum("amount"))
        .order_by()
    )
    invoices = defaultdict(list)
    for contract_id, invoice_on, amount in VendorInvoice.objects.filter(
        contract__study=study, status=InvoiceStatus.APPROVED
    ).values_list("contract_id", "invoice_on", "amount"):
        invoices[contract_id].append((invoice_on, amount))
    book = rate_book({c.currency for c in contracts} | ({currency} if currency else set()))
    found = []
    for contract in contracts:
        value = contract.value + (changes.get(contract.pk) or 0)
        invoiced = sum((amount for _, amount in invoices[contract.pk]), money.ZERO)
        delivered = sum((m.amount for m in contract.milestones.all() if m.delivered_on), money.ZERO)
        study_invoiced = study_remaining = None
        if currency:
            try:
                study_invoiced = sum(
                    (
                        book.convert(amount, contract.currency, currency, on).converted
                        for on, amount in invoices[contract.pk]
                    ),
                    money.ZERO,
                )
                latest = book.latest(contract.currency, currency)
                if latest is not None:
                    study_remaining = money.rounded(max(value - invoiced, money.ZERO) * latest, currency)
            except Exception:  # a missing rate: shown as unknown, named on the page
                study_invoiced = None
        found.append(VendorTotals(contract, value, invoiced, delivered, study_invoiced, study_remaining))
    return found


def spent_by_category(study, currency: str, vendors: list[VendorTotals]) -> dict[str, Decimal]:
    """What is spent so far, in the study currency: site work (sites), invoiceable items (pass-through),
    vendor invoices approved (vendors)."""
    rows = PayableLine.objects.filter(study=study).values("kind").annotate(t=Sum("study_earned")).order_by()
    found = {"sites": money.ZERO, "pass_through": money.ZERO, "vendors": money.ZERO}
    for row in rows:
        category = "pass_through" if row["kind"] == earnings.INVOICE else "sites"
        found[category] += money.Decimal(row["t"] or 0)
    found["vendors"] = sum((v.study_invoiced or money.ZERO for v in vendors), money.ZERO)
    return {k: money.rounded(v, currency) for k, v in found.items()}


def budget_burn(study_ids: list[int]) -> dict[int, Decimal]:
    """Site and vendor spend as a percentage of each study's budget in force (the portfolio column), in
    four queries for a page of studies; studies without a budget are left out."""
    budgets = {}
    for version in BudgetVersion.objects.filter(study_id__in=study_ids).order_by("study_id", "number"):
        budgets[version.study_id] = version
    if not budgets:
        return {}
    spent = defaultdict(lambda: money.ZERO)
    for study_id, total in (
        PayableLine.objects.filter(study_id__in=budgets)
        .values_list("study_id")
        .annotate(t=Sum("study_earned"))
        .order_by()
    ):
        spent[study_id] += money.Decimal(total or 0)
    vendor_rows = list(
        VendorInvoice.objects.filter(
            contract__study_id__in=budgets, status=InvoiceStatus.APPROVED
        ).values_list("contract__study_id", "contract__currency", "invoice_on", "amount")
    )
    book = rate_book({v.currency for v in budgets.values()} | {row[1] for row in vendor_rows})
    # A forecast-grade figure for the portfolio: vendor invoices at the latest rate.
    for study_id, currency, _invoice_on, amount in vendor_rows:
        latest = book.latest(currency, budgets[study_id].currency)
        if latest is not None:
            spent[study_id] += amount * latest
    return {
        study_id: (spent[study_id] * money.HUNDRED / version.total).quantize(Decimal("0.1"))
        for study_id, version in budgets.items()
        if version.total
    }


def sites_of(study) -> dict[int, StudySite]:
    return {s.pk: s for s in StudySite.objects.filter(study=study).select_related("institution")}


@dataclass
class RunSummary:
    drafts: int = 0
    approved: int = 0
    paid: int = 0
    runs: list = field(default_factory=list)
