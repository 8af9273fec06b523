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
import operator
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from trialdesk.core import audit, records
from trialdesk.core.audit.drift import id_ranges, row_line
from trialdesk.core.audit.trail import audited_fields
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.finance.models import FeeSchedule, PayableLine, PayableMonth
from trialdesk.finance.permissions import ONLY_MANAGERS, can_manage_finance
from trialdesk.finance.rules import earnings, forecast, money, rates
from trialdesk.finance.selectors import DayNumber, MonthOf, current_budget, rate_book
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
# The key of a new line's row under which `_Pricer` leaves its values as written (`_insert_lines`).
PLAIN = "plain"
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
        # The English wording is the same for 1 (commands and tests read it); other languages count.
        text = ngettext(
            "%(lines)s payable lines added, %(reversals)s of them reversals",
            "%(lines)s payable lines added, %(reversals)s of them reversals",
            self.lines_added,
        ) % {"lines": self.lines_added, "reversals": self.reversals}
        if self.unmatched:
            text += ngettext(
                "; %(count)s pieces of work have no fee in their site's schedule",
                "; %(count)s pieces of work have no fee in their site's schedule",
                len(self.unmatched),
            ) % {"count": len(self.unmatched)}
        if self.sites_without_schedule:
            text += gettext("; sites without a fee schedule: %(sites)s") % {
                "sites": ", ".join(self.sites_without_schedule)
            }
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
        require(can_manage_finance(by, study.pk), gettext(ONLY_MANAGERS))
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
        wanted, pricer = {}, _Pricer(site, schedules[site_id], currency, book)
        for line in result.lines:
            try:
                wanted[line.source] = pricer.priced(line)
            except rates.MissingRate as problem:
                missing.append(problem)
        if missing:
            continue
        rows += _difference(site, wanted, standing.get(site_id, {}), site_today, report)
    if missing:
        raise ValidationError({"exchange_rate": _missing_message(missing)})
    _write(study, rows, report, by=by, reason=reason, sites=sites)
    refresh_months(study.pk, sorted({row["study_site_id"] for row in rows}))
    return report


def refresh_months(study_id: int, site_ids: list[int], *, lines_model=None, months_model=None) -> None:
    """Rebuild the PayableMonth rows of the sites from their lines; call it in the transaction that
    changed the lines. Refreshes of a study wait for each other (its row is locked on PostgreSQL, as a
    generation locks it), so each sums the lines the other committed. The models may be a migration's."""
    if not site_ids:
        return
    lines_model, months_model = lines_model or PayableLine, months_model or PayableMonth
    Study.objects.select_for_update().filter(pk=study_id).first()
    months_model.objects.filter(study_id=study_id, study_site_id__in=site_ids).delete()
    positive, paying = Q(payable__gt=0), Q(payable__gt=0, reverses__isnull=True)
    groups = (
        lines_model.objects.filter(study_id=study_id, study_site_id__in=site_ids)
        .annotate(month=MonthOf("earned_on"), due_month=MonthOf("due_on"))
        .values_list("study_site_id", "currency", "kind", "payment_run_id", "month", "due_month")
        .annotate(
            earned_sum=Sum(F("fee") + F("overhead")),
            holdback_sum=Sum("holdback"),
            payable_sum=Sum("payable"),
            study_earned_sum=Sum("study_earned"),
            study_payable_sum=Sum("study_payable"),
            positive_payable=Sum("payable", filter=positive),
            positive_lines=Count("id", filter=positive),
            paying_lines=Count("id", filter=paying),
            paying_days=Sum(DayNumber("earned_on"), filter=paying),
        )
        .order_by()
    )
    names = (
        "study_site_id", "currency", "kind", "payment_run_id", "month", "due_month", "earned", "holdback",
        "payable", "study_earned", "study_payable", "positive_payable", "positive_lines", "paying_lines",
        "paying_days",
    )  # fmt: skip
    if connection.vendor == "postgresql":
        # COPY, as for the lines: bulk_create's preparation of each value took as long as the sums.
        quote, table = connection.ops.quote_name, months_model._meta.db_table
        columns = ", ".join(quote(name) for name in ("study_id", *names))
        text = "".join(_copy_month(study_id, _no_nulls(group)) for group in groups)  # read before COPY
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
        ):
            copy.write(text)
        return
    months_model.objects.bulk_create(
        (
            months_model(study_id=study_id, **dict(zip(names, _no_nulls(group), strict=True)))
            for group in groups
        ),
        batch_size=1000,
    )


def _copy_month(study_id: int, values: tuple) -> str:
    """A PayableMonth row in COPY's text format: numbers, dates and validated codes, nothing to escape."""
    texts = [str(study_id)]
    texts += ["\\N" if v is None else v.isoformat() if isinstance(v, dt.date) else str(v) for v in values]
    return "\t".join(texts) + "\n"


def _no_nulls(group: tuple) -> tuple:
    """A group's keys as they are, its sums with 0 for none (a filtered sum over no line), amounts (4
    decimals) as whole ten-thousandths."""
    keys, amounts, counts = group[:6], group[6:12], group[12:]
    return (
        *keys,
        *(int(Decimal(value or 0).quantize(MONEY_PLACES).scaleb(4)) for value in amounts),
        *(int(value or 0) for value in counts),
    )


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


class _Pricer:
    """Prices one site's lines in the study currency. What repeats from line to line (a day's rate and
    due date, the same amounts converted at the same rate) is worked out once; each value is put in the
    form its column stores (`_stored`), since the audit digest is computed from the values written."""

    def __init__(self, site, site_schedules, currency: str, book: rates.RateBook):
        self.site, self.schedules, self.currency, self.book = site, site_schedules, currency, book
        self._days: dict[tuple[str, dt.date], tuple] = {}
        self._amounts: dict[tuple, tuple] = {}

    def _day(self, line: earnings.Line) -> tuple:
        """(due on, rate or None, rate's day or None, rate) of a line of this currency earned that day."""
        key = (line.currency, line.on)
        found = self._days.get(key)
        if found is None:
            terms = next(
                (days for on, _, days in reversed(self.schedules) if on <= line.on), self.schedules[0][2]
            )
            rate, rate_on = self.book.rate_on(line.currency, self.currency, line.on)
            same = line.currency == self.currency
            due_on = forecast.due_on(line.on, terms)
            stored_rate = None if same else rate.quantize(RATE_PLACES)
            rate_on = None if same else rate_on
            found = self._days[key] = (
                (due_on, stored_rate, rate_on, rate),
                (line.on.isoformat(), due_on.isoformat(), _plain(stored_rate), _plain(rate_on)),
            )
        return found

    def _stored_amounts(self, line: earnings.Line, rate: Decimal) -> tuple:
        key = (line.fee, line.overhead, line.holdback, line.payable, rate)
        found = self._amounts.get(key)
        if found is None:
            stored = (
                line.fee.quantize(MONEY_PLACES),
                line.overhead.quantize(MONEY_PLACES),
                line.holdback.quantize(MONEY_PLACES),
                line.payable.quantize(MONEY_PLACES),
                money.rounded(line.earned * rate, self.currency).quantize(MONEY_PLACES),
                money.rounded(line.payable * rate, self.currency).quantize(MONEY_PLACES),
            )
            found = self._amounts[key] = (stored, tuple(map(str, stored)))
        return found

    def priced(self, line: earnings.Line) -> dict:
        """The row of a new line for `line` (MissingRate when its day has no rate), with its values in
        INSERTED order as plain_value gives them under PLAIN (what `_insert_lines` writes)."""
        (due_on, stored_rate, rate_on, rate), (on_text, due_text, rate_text, rate_on_text) = self._day(line)
        amounts, texts = self._stored_amounts(line, rate)
        fee, overhead, holdback, payable, study_earned, study_payable = amounts
        code, participant = line.code or "", line.participant or ""
        plain = [
            self.site.study_id, self.site.pk, line.source, line.kind, code, participant, on_text, due_text,
            line.currency, *texts[:4], self.currency, rate_text, rate_on_text, *texts[4:], None,
        ]  # fmt: skip
        return {
            PLAIN: plain,
            "study_id": self.site.study_id,
            "study_site_id": self.site.pk,
            "source": line.source,
            "kind": line.kind,
            "code": code,
            "participant": participant,
            "earned_on": line.on,
            "due_on": due_on,
            "currency": line.currency,
            "fee": fee,
            "overhead": overhead,
            "holdback": holdback,
            "payable": payable,
            "study_currency": self.currency,
            "rate": stored_rate,
            "rate_on": rate_on,
            "study_earned": study_earned,
            "study_payable": study_payable,
            "reverses_id": None,
        }


def _missing_message(missing: list[rates.MissingRate]) -> str:
    pairs = sorted({(m.base, m.quote, m.on) for m in missing})
    first = pairs[0]
    values = {
        "base": first[0],
        "quote": first[1],
        "day": first[2].isoformat(),
        "more": len(pairs) - 1,
        "lookback": rates.LOOKBACK_DAYS,
    }
    if len(pairs) == 1:
        return (
            gettext(
                "No exchange rate %(base)s → %(quote)s on %(day)s (none in the %(lookback)s days before "
                "either); enter or import those rates, then generate again. Nothing was saved."
            )
            % values
        )
    return (
        ngettext(
            "No exchange rate %(base)s → %(quote)s on %(day)s and %(more)s more days (none in the "
            "%(lookback)s days before either); enter or import those rates, then generate again. "
            "Nothing was saved.",
            "No exchange rate %(base)s → %(quote)s on %(day)s and %(more)s more days (none in the "
            "%(lookback)s days before either); enter or import those rates, then generate again. "
            "Nothing was saved.",
            len(pairs) - 1,
        )
        % values
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
            rows.append(new)
        report.lines_added += (old is not None) + (new is not None)
    return rows


def _reversal(site, old: dict, today: dt.date) -> dict:
    negated = {
        name: money.ZERO - Decimal(old[name])  # never -0: the digest compares values as stored
        for name in ("fee", "overhead", "holdback", "payable", "study_payable", "study_earned")
    }
    reversal = {
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
    return {name: _stored(name, value) for name, value in reversal.items()}


def _write(study, rows: list[dict], report: GenerationReport, *, by, reason: str, sites: dict) -> None:
    if not rows:
        return
    added_at: dict[int, list[tuple[int, dict, list]]] = defaultdict(list)
    for line_id, row, plain in _insert_lines(rows, report.generation):
        added_at[row["study_site_id"]].append((line_id, row, plain))
    for site_id, added in sorted(added_at.items()):
        audit.record(
            target=sites[site_id],
            action="payableline.bulk_generated",
            by=by,
            before=None,
            after={
                "generation": report.generation,
                "lines_added": len(added),
                "reversals": sum(1 for _, row, _ in added if row["reverses_id"]),
                "payable_added": str(sum((row["payable"] for _, row, _ in added), money.ZERO)),
                audit.BULK_KEY: _bulk_created(added),
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


def _bulk_created(added: list[tuple[int, dict, list]]) -> dict:
    """What core.audit.bulk_created records (model, fields, id runs, SHA-256 of each row's values in field
    order), computed from the values just written rather than read back: every value was put in the
    form its column stores (`_stored`), so it is what a read gives (the drift test checks it does).
    Each line is core.audit.drift.row_line of the values `_insert_lines` wrote, already JSON-plain (as
    plain_value gives them), so that encoding them calls back to Python for none of them."""
    fields = audit_fields()
    pick = operator.itemgetter(*(COLUMNS.index(f.attname) for f in fields))
    digest = hashlib.sha256()
    for line_id, _, plain in sorted(added, key=lambda triple: triple[0]):
        digest.update(row_line(line_id, pick(plain)))
    return {
        "model": PayableLine._meta.label_lower,
        "fields": [f.name for f in fields],
        "ids": id_ranges(line_id for line_id, _, _ in added),
        "digest": digest.hexdigest(),
    }


def audit_fields():
    return audited_fields(PayableLine)


INSERTED = (
    "study_id", "study_site_id", "source", "kind", "code", "participant", "earned_on", "due_on", "currency",
    "fee", "overhead", "holdback", "payable", "study_currency", "rate", "rate_on", "study_earned",
    "study_payable", "reverses_id",
)  # fmt: skip


COLUMNS = ("id", *INSERTED, "generation", "payment_run_id", "version", "created_at", "updated_at")
# Lines given to COPY at a time (PostgreSQL).
LINES_PER_BATCH = 5000
# The columns whose text comes from the work recorded (sources, codes, participant numbers).
FREE_TEXT = tuple(COLUMNS.index(name) for name in ("source", "code", "participant"))
# SQLite's page cache while lines are inserted, in KiB (a negative cache_size is KiB, a positive pages).
SQLITE_CACHE_KIB = 65536
# COPY's text format: backslash, tab, newline and carriage return escaped; NULL as \N.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _insert_lines(rows: list[dict], generation: str) -> list[tuple[int, dict, list]]:
    """Write the lines, each value as its column stores it (rows are already in that form: `_Pricer`,
    `_reversal`), with ids taken beforehand; returns (line id, row, its values in COLUMNS order as
    plain_value gives them) of each, in the rows' order.

    Building a model instance per line for bulk_create, and an audit event per line, would take longer
    than generating a large study's payables should (benchmarks/bench_finance.py); the values here were
    validated by rules.earnings and the fee schedules' own checks (docs/adr/0005). On PostgreSQL the ids
    come from the table's sequence and the lines go in with COPY, its text written here (psycopg's
    Python adaptation of 2.4 million parameters took most of a generation); elsewhere (SQLite, whose
    write lock the generation's IMMEDIATE transaction holds) the ids follow the table's highest and the
    lines go in with executemany of one INSERT.
    """
    if not rows:
        return []
    table = PayableLine._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in COLUMNS)
    now = connection.ops.adapt_datetimefield_value(timezone.now())  # SQLite: text; PostgreSQL: as is
    tail = (generation, None, 1, now, now)
    with connection.cursor() as cursor:
        ids = _new_ids(cursor, table, len(rows))
        plain = [
            [pk, *(row[PLAIN] if PLAIN in row else map(_plain, map(row.__getitem__, INSERTED))), *tail]
            for pk, row in zip(ids, rows, strict=True)
        ]
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for first in range(0, len(plain), LINES_PER_BATCH):
                    copy.write("".join(map(_copy_line, plain[first : first + LINES_PER_BATCH])))
        else:
            # The lines' seven indexes take new keys all over: a page cache larger than SQLite's 2 MB
            # default for the statement saves a tenth of a large generation.
            cursor.execute("PRAGMA cache_size")
            cache_size = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA cache_size = {min(int(cache_size), -SQLITE_CACHE_KIB)}")
            placeholders = ", ".join(["%s"] * len(COLUMNS))
            cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders})", plain)
            cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")
    return list(zip(ids, rows, plain, strict=True))


def _plain(value):
    """A value as plain_value gives it, for the values of a line: dates and amounts as text."""
    return str(value) if type(value) is Decimal else value.isoformat() if type(value) is dt.date else value


def _new_ids(cursor, table: str, count: int) -> list[int]:
    """`count` unused ids for new lines, ascending: from the table's sequence on PostgreSQL; elsewhere
    (SQLite) following the highest id used so far, the write lock being held."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
        )
        return sorted(pk for (pk,) in cursor.fetchall())
    cursor.execute(
        f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {connection.ops.quote_name(table)} "
        "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
        [table],
    )
    first = (cursor.fetchone()[0] or 0) + 1
    return list(range(first, first + count))


def _copy_line(values: list) -> str:
    """One line of COPY's text format. Only the columns of free text (FREE_TEXT) can hold a character
    COPY must escape: the others are numbers, dates, validated codes and the generation's hex id."""
    texts = ["\\N" if v is None else str(v) for v in values]
    for at in FREE_TEXT:
        texts[at] = texts[at].translate(COPY_ESCAPES)
    return "\t".join(texts) + "\n"
