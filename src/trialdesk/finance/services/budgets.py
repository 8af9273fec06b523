"""Budgets, fee schedules, exchange rates (entered or imported) and procedure records."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from trialdesk.core import records
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import BudgetCategory, BudgetVersion, ExchangeRate, FeeSchedule, ProcedureRecord
from trialdesk.finance.permissions import (
    ONLY_MANAGERS,
    ONLY_SITE,
    can_manage_finance,
    can_manage_rates,
    can_submit_for_site,
)
from trialdesk.finance.rules import money
from trialdesk.interop import tabular

BUDGET_FIELDS = ("protocol_version", "effective_on", "note")
SCHEDULE_FIELDS = (
    "effective_on",
    "currency",
    "overhead_percent",
    "holdback_percent",
    "payment_terms_days",
    "startup_fee",
    "closeout_fee",
    "screen_failure_fee",
    "screen_failure_max_paid",
    "visit_fees",
    "procedure_fees",
    "invoiceable",
    "note",
)


def _amounts(amounts: dict) -> dict:
    """{category: amount as text}; each bad amount named by its category."""
    errors, found = {}, {}
    for category, value in (amounts or {}).items():
        if category not in BudgetCategory.values:
            errors[category] = gettext("Not a budget category; use %(categories)s.") % {
                "categories": ", ".join(BudgetCategory.values)
            }
            continue
        try:
            found[category] = f"{money.parse_amount(value):f}"
        except ValueError as error:
            errors[category] = str(error)
    if errors:
        raise ValidationError(errors)
    return found


@transaction.atomic
def save_budget_version(
    *, study, by: User, amounts: dict, currency: str | None = None, reason: str = "", **values
) -> BudgetVersion:
    """A new version of the study budget (the latest is in force). The first sets the study currency;
    later ones keep it and need a reason (a budget amendment says why)."""
    require(can_manage_finance(by, study.pk), gettext(ONLY_MANAGERS))
    records.only_fields(values, BUDGET_FIELDS)
    latest = BudgetVersion.objects.select_for_update().filter(study=study).order_by("-number").first()
    if latest is not None:
        reason = records.require_reason(reason)
        if currency and currency != latest.currency:
            raise ValidationError(
                {
                    "currency": gettext("The study budget is in %(currency)s; a new version keeps it.")
                    % {"currency": latest.currency}
                }
            )
        currency = latest.currency
    version = BudgetVersion(
        study=study,
        number=(latest.number + 1) if latest else 1,
        currency=currency or "",
        amounts=_amounts(amounts),
        **{"effective_on": timezone.localdate(), **values},
    )
    return records.create_record(version, by=by, reason=reason or "first budget")


def _schedule_values(values: dict) -> dict:
    records.only_fields(values, SCHEDULE_FIELDS)
    for name in ("visit_fees", "procedure_fees", "invoiceable"):
        if name in values and isinstance(values[name], dict):
            values[name] = {
                code: (None if amount is None else _text(amount)) for code, amount in values[name].items()
            }
    return values


def _text(amount) -> str | object:
    try:
        return f"{money.parse_amount(amount, allow_negative=True):f}"
    except ValueError:
        return amount  # left as given: the model's check names it


@transaction.atomic
def create_fee_schedule(*, study_site, by: User, reason: str = "", **values) -> FeeSchedule:
    require(can_manage_finance(by, study_site.study_id), gettext(ONLY_MANAGERS))
    schedule = FeeSchedule(study_id=study_site.study_id, study_site=study_site, **_schedule_values(values))
    return records.create_record(schedule, by=by, reason=reason)


@transaction.atomic
def update_fee_schedule(
    *, schedule: FeeSchedule, by: User, changes: dict, reason: str, expected_version: int | None = None
) -> FeeSchedule:
    """Correct a schedule in place (the next generation re-prices the work it covers, with reversal lines);
    an amendment of the agreement is a new schedule from its effective date instead."""
    require(can_manage_finance(by, schedule.study_id), gettext(ONLY_MANAGERS))
    return records.update_record(
        schedule,
        changes=_schedule_values(dict(changes)),
        by=by,
        reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def create_exchange_rate(
    *, by: User, base: str, quote: str, on: dt.date, rate, source: str = ""
) -> ExchangeRate:
    require(can_manage_rates(by), gettext("Only administrators and finance staff enter exchange rates."))
    try:
        value = money.parse_amount(rate)
    except ValueError as error:
        raise ValidationError({"rate": str(error)}) from None
    return records.create_record(
        ExchangeRate(
            base=(base or "").upper(), quote=(quote or "").upper(), on=on, rate=value, source=source
        ),
        by=by,
        reason="reference rate entered",
    )


RATE_COLUMNS = (
    tabular.Column("on", "Date", tabular.DATE, required=True),
    tabular.Column("base", "Base", tabular.TEXT),
    tabular.Column("quote", "Quote", tabular.TEXT),
    tabular.Column("rate", "Rate", tabular.TEXT),
)


def parse_rates(
    table: tabular.Table, *, default_base: str = "EUR"
) -> tuple[list[tuple], list[tabular.Problem]]:
    """(rates, problems) from a CSV or workbook of reference rates, one problem per bad cell.

    Two layouts: long (`Date, Base, Quote, Rate`, one rate a row) and wide, as the ECB publishes its euro
    reference rates (`Date, USD, JPY, …`: one day a row, the rate of 1 `default_base` in each currency;
    empty cells and N/A are days without a fixing)."""
    keys = {tabular.header_key(h) for h in table.headers}
    if {"base", "quote", "rate"} <= keys:
        return _long_rates(table)
    return _wide_rates(table, default_base)


def _long_rates(table):
    match = tabular.match_columns(table, RATE_COLUMNS)
    found, problems = [], list(match.problems)
    for row in tabular.typed_rows(table, RATE_COLUMNS, match):
        problems += row.problems
        if row.problems:
            continue
        base, quote = (str(row.values[k] or "").upper() for k in ("base", "quote"))
        found += _checked(row.number, row.values["on"], base, quote, row.values["rate"], problems)
    return found, problems


def _wide_rates(table, base: str):
    date_index = next((i for i, h in enumerate(table.headers) if tabular.header_key(h) == "date"), None)
    if date_index is None:
        return [], [tabular.Problem("the first row must name a Date column and the currencies", row=1)]
    found, problems = [], []
    for row in table.rows:
        try:
            on = tabular.convert(row.cells[date_index], tabular.DATE)
        except ValueError as error:
            problems.append(tabular.Problem(str(error), row=row.number, column="Date"))
            continue
        for index, header in enumerate(table.headers):
            cell = row.cells[index] if index < len(row.cells) else None
            if (
                index == date_index
                or not str(header).strip()
                or cell in (None, "")
                or str(cell).strip() in ("", "N/A")
            ):
                continue
            found += _checked(
                row.number, on, base, str(header).strip().upper(), cell, problems, column=str(header)
            )
    return found, problems


def _checked(number, on, base, quote, rate, problems, column=None) -> list[tuple]:
    for code, name in ((base, "Base"), (quote, "Quote")):
        problem = money.currency_problem(code)
        if problem:
            problems.append(tabular.Problem(problem, row=number, column=column or name))
            return []
    try:
        value = money.parse_amount(rate)
    except ValueError as error:
        problems.append(tabular.Problem(str(error), row=number, column=column or "Rate"))
        return []
    if value <= 0 or base == quote or on is None:
        problems.append(
            tabular.Problem(
                "a rate is a positive number between two currencies", row=number, column=column or "Rate"
            )
        )
        return []
    return [(base, quote, on, value)]


@transaction.atomic
def import_rates(
    *, by: User, table: tabular.Table, source: str = "", default_base: str = "EUR"
) -> tuple[int, int]:
    """Import reference rates all or nothing: any bad row and nothing is saved (ValidationError with one
    line per problem under `file`). A rate already stored for the pair and day is kept, not duplicated;
    a different one is refused (correct it by hand, with a reason). Returns (added, already there)."""
    require(can_manage_rates(by), gettext("Only administrators and finance staff import exchange rates."))
    found, problems = parse_rates(table, default_base=default_base)
    existing = {
        (r.base, r.quote, r.on): r.rate for r in ExchangeRate.objects.filter(on__in={row[2] for row in found})
    }
    for base, quote, on, rate in found:
        known = existing.get((base, quote, on))
        if known is not None and Decimal(known) != rate:
            problems.append(tabular.Problem(f"a different rate {known} is stored for {base}/{quote} on {on}"))
    if problems:
        raise ValidationError({"file": [p.located(table.filename) for p in problems]})
    added = 0
    for base, quote, on, rate in found:
        if (base, quote, on) in existing:
            continue
        existing[(base, quote, on)] = rate
        records.create_record(
            ExchangeRate(base=base, quote=quote, on=on, rate=rate, source=source or table.filename),
            by=by,
            reason=f"imported from {table.filename}",
        )
        added += 1
    return added, len(found) - added


@transaction.atomic
def record_procedure(
    *, participant, by: User, code: str, done_on: dt.date, note: str = ""
) -> ProcedureRecord:
    require(can_submit_for_site(by, participant.study_id, participant.study_site_id), gettext(ONLY_SITE))
    record = ProcedureRecord(
        study_id=participant.study_id,
        study_site_id=participant.study_site_id,
        participant=participant,
        code=(code or "").strip(),
        done_on=done_on,
        note=note,
    )
    return records.create_record(record, by=by, reason="procedure recorded")
