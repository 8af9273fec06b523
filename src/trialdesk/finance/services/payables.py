"""Payables generated from the work done, automatically and idempotently (issue 15 §2; docs/adr/0005).

`generate_payables` reads the work done in a study (services.facts), prices it with each site's fee
schedules (rules.earnings, the same calculation as `trialdesk finance earnings`), compares what should
stand with the lines already there, and adds only the difference: a new line for new work, nothing for
work already paid for at the same amounts, and for work that was corrected or undone a reversal line (the
opposite amounts) followed, when it still earns, by a new line. A paid line is never changed. Lines are
written in bulk with one audit event per study site listing the lines added with a digest, the bulk
path of ADR 0004 applied to payables: 100,000 visits must not take 100,000 audit events.
"""

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from trialdesk.core import audit, records
from trialdesk.core.audit.drift import id_ranges, row_line
from trialdesk.core.audit.trail import audited_fields
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import FeeSchedule, PayableLine
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.rules import earnings, forecast, money, rates
from trialdesk.finance.selectors import current_budget, rate_book
from trialdesk.finance.services.facts import work_done
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

COMPARED = (
    "kind",
    "code",
    "participant",
    "earned_on",
    "fee",
    "overhead",
    "holdback",
    "payable",
    "study_payable",
)
# Stored precision of rates (PayableLine.rate: 10 decimals): lines are written as stored, so that the
# digest of their values (below) is the digest of the rows.
RATE_PLACES = Decimal("1e-10")
MONEY_PLACES = Decimal("1e-4")
# What a reversal copies from the line it cancels.
CARRIED = ("currency", "study_currency", "rate", "rate_on", "study_earned")
NO_BUDGET = "Enter the study budget first: its currency is the one payables are converted to."


@dataclass
class GenerationReport:
    """What a generation added, and the work nothing in the fee schedules pays for."""

    generation: str
    lines_added: int = 0
    reversals: int = 0
    unmatched: list[tuple[str, earnings.WorkDone]] = field(default_factory=list)
    sites_without_schedule: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.lines_added} payable lines added, {self.reversals} of them reversals"
        if self.unmatched:
            text += f"; {len(self.unmatched)} pieces of work have no fee in their site's schedule"
        if self.sites_without_schedule:
            text += f"; sites without a fee schedule: {', '.join(self.sites_without_schedule)}"
        return text


def study_currency(study) -> str | None:
    budget = current_budget(study)
    return budget.currency if budget else None


@transaction.atomic
def generate_payables(
    *,
    study,
    by: User | None,
    reason: str = "",
    today: dt.date | None = None,
    site_ids: list[int] | None = None,
) -> GenerationReport:
    """Bring the study's payable lines (or those of the sites `site_ids`) in line with the work done.
    `by` None is the system (the nightly `trialdesk finance payables`, and a site's work as it is
    recorded); a person must manage the study's finance."""
    if by is not None:
        require(can_manage_finance(by, study.pk), ONLY_MANAGERS)
    reason = records.checked_reason(reason) or "payables generated from the work done"
    currency = study_currency(study)
    if currency is None:
        raise ValidationError({"budget": NO_BUDGET})
    # One generation of a study at a time: two at once (the nightly run and the button) would both read
    # the same standing lines and both add the difference, earning the work twice. SQLite's IMMEDIATE
    # transactions already take the write lock at BEGIN; on PostgreSQL the study's row is locked.
    Study.objects.select_for_update().filter(pk=study.pk).first()
    report = GenerationReport(generation=uuid.uuid4().hex)
    in_study = StudySite.objects.filter(study=study)
    if site_ids is not None:
        in_study = in_study.filter(pk__in=site_ids)
    sites = {s.pk: s for s in in_study.select_related("institution")}
    schedules = _schedules_by_site(study, site_ids)
    book = rate_book({currency} | {s.currency for rows in schedules.values() for _, s, _ in rows})
    standing = _standing_lines(study, site_ids)
    rows, missing = [], []
    done = work_done(study, site_ids)
    # Sites with lines standing but no work left (their one visit undone) are compared too: their lines
    # are reversed.
    for site_id in sorted(set(done) | set(standing)):
        site, work = sites[site_id], done.get(site_id, [])
        if site_id not in schedules:
            report.sites_without_schedule.append(site.site_number)
            continue
        site_today = today or site.local_today()
        result = earnings.earnings([(on, rules) for on, rules, _ in schedules[site_id]], work)
        report.unmatched += [(site.site_number, item) for item in result.unmatched]
        wanted = {}
        for line in result.lines:
            try:
                wanted[line.source] = _priced(line, schedules[site_id], currency, book)
            except rates.MissingRate as problem:
                missing.append(problem)
        if missing:
            continue
        rows += _difference(site, wanted, standing.get(site_id, {}), site_today, report)
    if missing:
        raise ValidationError({"exchange_rate": _missing_message(missing)})
    _write(study, rows, report, by=by, reason=reason, sites=sites)
    return report


def _schedules_by_site(
    study, site_ids: list[int] | None = None
) -> dict[int, list[tuple[dt.date, earnings.FeeSchedule, int]]]:
    found = defaultdict(list)
    schedules = FeeSchedule.objects.filter(study=study)
    if site_ids is not None:
        schedules = schedules.filter(study_site_id__in=site_ids)
    for schedule in schedules.order_by("effective_on"):
        found[schedule.study_site_id].append(
            (schedule.effective_on, schedule.to_rules(), schedule.payment_terms_days)
        )
    return found


def _priced(line: earnings.Line, site_schedules, currency: str, book: rates.RateBook) -> dict:
    terms = next((days for on, _, days in reversed(site_schedules) if on <= line.on), site_schedules[0][2])
    rate, rate_on = book.rate_on(line.currency, currency, line.on)
    same = line.currency == currency
    return {
        "source": line.source,
        "kind": line.kind,
        "code": line.code or "",
        "participant": line.participant or "",
        "earned_on": line.on,
        "due_on": forecast.due_on(line.on, terms),
        "currency": line.currency,
        "fee": line.fee,
        "overhead": line.overhead,
        "holdback": line.holdback,
        "payable": line.payable,
        "study_currency": currency,
        "rate": None if same else rate.quantize(RATE_PLACES),
        "rate_on": None if same else rate_on,
        "study_earned": money.rounded(line.earned * rate, currency),
        "study_payable": money.rounded(line.payable * rate, currency),
    }


def _missing_message(missing: list[rates.MissingRate]) -> str:
    pairs = sorted({(m.base, m.quote, m.on) for m in missing})
    first = pairs[0]
    more = f" and {len(pairs) - 1} more days" if len(pairs) > 1 else ""
    return (
        f"No exchange rate {first[0]} → {first[1]} on {first[2].isoformat()}{more} (none in the "
        f"{rates.LOOKBACK_DAYS} days before either); enter or import those rates, then generate again. "
        "Nothing was saved."
    )


def _standing_lines(study, site_ids: list[int] | None = None) -> dict[int, dict[str, dict]]:
    """{site id: {source: the line standing for it}}: the latest line of each source that is neither a
    reversal nor reversed."""
    lines = PayableLine.objects.filter(study=study)
    if site_ids is not None:
        lines = lines.filter(study_site_id__in=site_ids)
    lines = lines.order_by("id").values("id", "study_site_id", "reverses_id", "source", *COMPARED, *CARRIED)
    reversed_ids, latest = set(), {}
    for line in lines.iterator(chunk_size=5000):
        if line["reverses_id"]:
            reversed_ids.add(line["reverses_id"])
        else:
            latest[(line["study_site_id"], line["source"])] = line
    found: dict[int, dict[str, dict]] = defaultdict(dict)
    for (site_id, source), line in latest.items():
        if line["id"] not in reversed_ids:
            found[site_id][source] = line
    return found


def _same(wanted: dict, standing: dict) -> bool:
    return all(
        (Decimal(wanted[name]) == Decimal(standing[name]))
        if isinstance(wanted[name], Decimal)
        else wanted[name] == standing[name]
        for name in COMPARED
    )


def _difference(
    site, wanted: dict[str, dict], standing: dict[str, dict], today: dt.date, report
) -> list[dict]:
    rows = []
    for source in sorted(set(wanted) | set(standing), key=lambda s: (s in standing, s)):
        new, old = wanted.get(source), standing.get(source)
        if old is not None and new is not None and _same(new, old):
            continue
        if old is not None:
            rows.append(_reversal(site, old, today))
            report.reversals += 1
        if new is not None:
            rows.append({**new, "study_id": site.study_id, "study_site_id": site.pk, "reverses_id": None})
        report.lines_added += (old is not None) + (new is not None)
    return rows


def _reversal(site, old: dict, today: dt.date) -> dict:
    negated = {
        name: money.ZERO - Decimal(old[name])  # never -0: the digest compares values as stored
        for name in ("fee", "overhead", "holdback", "payable", "study_payable", "study_earned")
    }
    return {
        "study_id": site.study_id,
        "study_site_id": site.pk,
        "source": old["source"],
        "kind": old["kind"],
        "code": old["code"],
        "participant": old["participant"],
        "earned_on": today,
        "due_on": today,
        "currency": old["currency"],
        "study_currency": old["study_currency"],
        "rate": old["rate"],
        "rate_on": old["rate_on"],
        "reverses_id": old["id"],
        **negated,
    }


def _write(study, rows: list[dict], report: GenerationReport, *, by, reason: str, sites: dict) -> None:
    if not rows:
        return
    added_at: dict[int, list[tuple[int, dict]]] = defaultdict(list)
    for line_id, row in _insert_lines(rows, report.generation):
        added_at[row["study_site_id"]].append((line_id, row))
    for site_id, added in sorted(added_at.items()):
        audit.record(
            target=sites[site_id],
            action="payableline.bulk_generated",
            by=by,
            before=None,
            after={
                "generation": report.generation,
                "lines_added": len(added),
                "reversals": sum(1 for _, row in added if row["reverses_id"]),
                "payable_added": str(sum((row["payable"] for _, row in added), money.ZERO)),
                audit.BULK_KEY: _bulk_created(added, report.generation),
            },
            reason=reason,
            study_id=study.pk,
            study_site_id=site_id,
        )


def _stored(name: str, value):
    """A value as the database gives it back: money with the column's 4 decimals, rates with 10."""
    if isinstance(value, Decimal):
        return value.quantize(RATE_PLACES if name == "rate" else MONEY_PLACES)
    return value


def _bulk_created(added: list[tuple[int, dict]], generation: str) -> dict:
    """What core.audit.bulk_created records (model, fields, id runs, SHA-256 of each row's values in field
    order), computed from the values just written rather than read back: every value was put in the
    form its column stores (`_stored`), so it is what a read gives (the drift test checks it does)."""
    fields = audit_fields()
    digest = hashlib.sha256()
    for line_id, row in sorted(added, key=lambda pair: pair[0]):
        values = {**row, "generation": generation, "payment_run_id": None}
        digest.update(row_line(line_id, (values[f.attname] for f in fields)))
    return {
        "model": PayableLine._meta.label_lower,
        "fields": [f.name for f in fields],
        "ids": id_ranges(line_id for line_id, _ in added),
        "digest": digest.hexdigest(),
    }


def audit_fields():
    return audited_fields(PayableLine)


INSERTED = (
    "study_id", "study_site_id", "source", "kind", "code", "participant", "earned_on", "due_on", "currency",
    "fee", "overhead", "holdback", "payable", "study_currency", "rate", "rate_on", "study_earned",
    "study_payable", "reverses_id",
)  # fmt: skip


COLUMNS = (*INSERTED, "generation", "payment_run_id", "version", "created_at", "updated_at")
# Lines a statement inserts with UNNEST (PostgreSQL): one array parameter per column, whatever the lines.
UNNEST_LINES = 5000


def _insert_lines(rows: list[dict], generation: str) -> list[tuple[int, dict]]:
    """INSERT the lines in multi-row statements, each value as its column stores it; returns (line id, row)
    of each, the row's values as stored.

    Building a model instance per line for bulk_create, and an audit event per line, would take longer
    than generating a large study's payables should (benchmarks/bench_finance.py); the values here were
    validated by rules.earnings and the fee schedules' own checks (docs/adr/0005). On PostgreSQL each
    column is one array parameter (UNNEST, as Django's own bulk_create does there): psycopg parses a
    statement's placeholders in Python, which for 100,000 lines of 24 values took 25 of a generation's
    35 s. Elsewhere (SQLite), rows of placeholders, as many as the database takes.
    """
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(PayableLine._meta.db_table)} ({', '.join(quote(c) for c in COLUMNS)})"
    tail = "RETURNING id, source, reverses_id"
    unnest = connection.vendor == "postgresql"
    if unnest:
        per_statement, unnested = UNNEST_LINES, f"{head} SELECT * FROM UNNEST({_column_arrays()}) {tail}"
    else:
        per_statement = max(1, min(2000, (connection.features.max_query_params or 20_000) // len(COLUMNS)))
        row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    added = []
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            values = _stored_values(chunk, generation, now)
            if unnest:
                cursor.execute(unnested, [list(column) for column in zip(*values, strict=True)])
            else:
                params = [value for line in values for value in line]
                cursor.execute(f"{head} VALUES {', '.join([row] * len(chunk))} {tail}", params)
            # RETURNING promises no order: a row is known by its source and whether it is a reversal
            # (a generation adds at most one of each per source).
            by_key = {(row["source"], row["reverses_id"] is not None): row for row in chunk}
            added += [
                (pk, by_key[(source, reverses is not None)]) for pk, source, reverses in cursor.fetchall()
            ]
    return added


def _column_arrays() -> str:
    """UNNEST's arguments: one array placeholder per column, cast to the column's type without its size."""
    fields = {f.column: f for f in PayableLine._meta.concrete_fields}
    return ", ".join(f"(%s)::{fields[c].db_type(connection).split('(')[0]}[]" for c in COLUMNS)


def _stored_values(chunk: list[dict], generation: str, now) -> list[list]:
    """Each line's values in COLUMNS order, as the database stores them (each row's own values updated to
    what is stored: the digest is computed from them)."""
    adapt_date = connection.ops.adapt_datefield_value
    values = []
    for row in chunk:
        stored = []
        for name in INSERTED:
            value = row[name] = _stored(name, row[name])
            stored.append(adapt_date(value) if isinstance(value, dt.date) else value)
        values.append([*stored, generation, None, 1, now, now])
    return values
