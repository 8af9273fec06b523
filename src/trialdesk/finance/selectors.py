"""Reads of the finance app: lists scoped with `visible_to`, and a study's figures as totals.

Lists start from `Model.objects.visible_to(user)` (404 outside scope). The totals (`line_summary`,
`site_totals`, `budget_burn`) count every line of a study; callers ask `permissions.can_read_totals`
(or can_read_site_finance for one site) first, so a sponsor viewer sees totals and never a line.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BigIntegerField, Count, Func, Q, Sum
from django.db.models.functions import TruncMonth

from trialdesk.finance.models import (
    BudgetVersion,
    ChangeOrder,
    ExchangeRate,
    FeeSchedule,
    InvoiceStatus,
    PayableLine,
    PayableMonth,
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
    """One site's payables: in its own currency, and earned and paid in the study currency. A site paid in
    more than one currency (a new fee schedule changed it) has no one currency: `parts` holds its totals
    per currency, shown side by side, since amounts in different currencies cannot be added."""

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
    parts: dict[str, "SiteTotals"] = field(default_factory=dict)

    def shown(self, name: str) -> str:
        if self.parts:
            return " + ".join(part.shown(name) for _, part in sorted(self.parts.items()))
        return money.shown(getattr(self, name), self.currency) if self.currency else "—"


class MonthOf(TruncMonth):
    """The first day of the month of a date column. PostgreSQL truncates natively; on SQLite, Django's
    TruncMonth calls a Python function once per row (a third of the overview's time over 100,000 lines),
    so the month is cut from the ISO date text instead, which SQLite stores dates as."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"(substr({sql}, 1, 7) || '-01')", params


class DayNumber(Func):
    """A date column as days since 1970-01-01 (an integer), for sums of dates."""

    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params


EPOCH = dt.date(1970, 1, 1)
FOUR_PLACES = Decimal("1e-4")


@dataclass
class LineSummary:
    """A study's payable lines summed once (`line_summary`): each site's totals, earned by month and kind
    in the study currency, and paid by month of payment."""

    sites: dict[int, SiteTotals]
    earned_by_month: dict[dt.date, Decimal]
    paid_by_month: dict[dt.date, Decimal]
    earned_by_kind: dict[str, Decimal]


def line_summary(study, today: dt.date, *, site_ids=None, days_to_pay: bool = True) -> LineSummary:
    """Every figure the overview takes from the lines, from their sums by site, currency, kind, payment
    run, month earned and month due (PayableMonth: a few thousand rows for 100,000 lines), each row's
    run joined for its status and payment date; plus the lines due this month before `today` that are
    unpaid (the months before are overdue whole). Two queries whatever the number of lines. The mean
    days from earned to paid (unless `days_to_pay` is false) come from the paid rows' counts and sums
    of earned dates."""
    months = PayableMonth.objects.filter(study=study)
    lines = PayableLine.objects.filter(study=study)
    if site_ids is not None:
        months = months.filter(study_site_id__in=list(site_ids))
        lines = lines.filter(study_site_id__in=list(site_ids))
    this_month = today.replace(day=1)
    rows = months.values_list(
        "study_site_id", "currency", "kind", "payment_run_id", "payment_run__status",
        "payment_run__paid_on", "month", "due_month", "earned", "holdback", "payable", "study_earned",
        "study_payable", "positive_payable", "positive_lines", "paying_lines", "paying_days",
    )  # fmt: skip
    summary = LineSummary({}, {}, {}, {})
    by_currency: dict[tuple[int, str], SiteTotals] = {}
    waits: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # site -> [days, paid lines]
    for row in rows:
        _add_row(summary, by_currency, row, this_month, waits)
    late = (
        lines.filter(UNPAID, due_on__gte=this_month, due_on__lt=today, payable__gt=0)
        .values_list("study_site_id", "currency")
        .annotate(amount=Sum("payable"), count=Count("id"))
        .order_by()
    )
    for site_id, currency, amount, count in late:
        row = by_currency.setdefault((site_id, currency), _totals(site_id, currency))
        row.overdue += int(Decimal(amount).quantize(FOUR_PLACES).scaleb(4))
        row.overdue_lines += count
    for row in by_currency.values():
        for name in ("earned", "holdback_held", "payable", "paid", "unpaid", "overdue"):
            setattr(row, name, money.rounded(_amount(getattr(row, name)), row.currency))
        row.study_earned, row.study_paid = _amount(row.study_earned), _amount(row.study_paid)
    for found in (summary.earned_by_month, summary.paid_by_month, summary.earned_by_kind):
        found.update((key, _amount(total)) for key, total in found.items())
    summary.sites = _per_site(by_currency)
    if days_to_pay:
        for site_id, (days, count) in waits.items():
            if count and site_id in summary.sites:
                summary.sites[site_id].mean_days_to_pay = round(days / count, 1)
                summary.sites[site_id].paid_lines = count
    return summary


def _totals(site_id: int, currency: str) -> SiteTotals:
    """A site's totals in one currency, its amounts as whole ten-thousandths while rows are added."""
    return SiteTotals(
        site_id=site_id, currency=currency, earned=0, holdback_held=0, payable=0, paid=0, unpaid=0,
        overdue=0, study_earned=0, study_paid=0,
    )  # fmt: skip


def _amount(ten_thousandths: int) -> Decimal:
    """A PayableMonth amount (whole ten-thousandths) as the Decimal it stands for, with 4 decimals."""
    return Decimal(ten_thousandths).scaleb(-4)


def _add_row(summary: LineSummary, by_currency: dict, row: tuple, this_month: dt.date, waits: dict) -> None:
    """One PayableMonth row into the site's totals in that currency and the study's burn (in whole
    ten-thousandths until `line_summary` makes them Decimal): paid when its run is paid, unpaid (overdue
    when due before this month) when it has no run or a cancelled one, neither while its run is a draft
    or approved."""
    site_id, currency, kind, run_id, status, paid_on, month, due_month, *sums = row
    earned, held, payable, study_earned, study_payable, late, late_lines, paying, paying_days = sums
    totals = by_currency.get((site_id, currency)) or by_currency.setdefault(
        (site_id, currency), _totals(site_id, currency)
    )
    totals.earned += earned
    totals.holdback_held += held
    totals.payable += payable
    totals.study_earned += study_earned
    if status == RunStatus.PAID:
        totals.paid += payable
        totals.study_paid += study_payable
        paid_month = paid_on.replace(day=1)
        summary.paid_by_month[paid_month] = summary.paid_by_month.get(paid_month, 0) + study_payable
        waits[site_id][0] += (paid_on - EPOCH).days * paying - paying_days
        waits[site_id][1] += paying
    elif run_id is None or status == RunStatus.CANCELLED:
        totals.unpaid += payable
        if due_month < this_month:
            totals.overdue += late
            totals.overdue_lines += late_lines
    summary.earned_by_month[month] = summary.earned_by_month.get(month, 0) + study_earned
    summary.earned_by_kind[kind] = summary.earned_by_kind.get(kind, 0) + study_earned


def _per_site(by_currency: dict[tuple[int, str], SiteTotals]) -> dict[int, SiteTotals]:
    """One row per site: its only currency's totals, or for a site paid in several currencies a row
    whose study-currency figures and counts add up and whose own-currency figures stay per currency."""
    found: dict[int, SiteTotals] = {}
    for (site_id, currency), row in sorted(by_currency.items()):
        if site_id not in found:
            found[site_id] = row
            continue
        first = found[site_id]
        if not first.parts:
            first = found[site_id] = SiteTotals(
                site_id=site_id,
                overdue_lines=first.overdue_lines,
                study_earned=first.study_earned,
                study_paid=first.study_paid,
                parts={first.currency: first},
            )
        first.parts[currency] = row
        first.overdue_lines += row.overdue_lines
        first.study_earned += row.study_earned
        first.study_paid += row.study_paid
    return found


def site_totals(study, today: dt.date, *, site_ids=None) -> dict[int, SiteTotals]:
    """Every site's (or `site_ids`') totals, in two queries whatever the number of lines."""
    return line_summary(study, today, site_ids=site_ids).sites


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


def spent_by_category(
    earned_by_kind: dict[str, Decimal], currency: str, vendors: list[VendorTotals]
) -> dict[str, Decimal]:
    """What is spent so far, in the study currency: site work (sites), invoiceable items (pass-through),
    vendor invoices approved (vendors); `earned_by_kind` from `line_summary`."""
    found = {"sites": money.ZERO, "pass_through": money.ZERO, "vendors": money.ZERO}
    for kind, amount in earned_by_kind.items():
        found["pass_through" if kind == earnings.INVOICE else "sites"] += amount
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
        PayableMonth.objects.filter(study_id__in=budgets)
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
