"""The files `trialdesk finance earnings` reads: a site's fee schedule (`budget.json`) and the work done
(`events.json`), checked field by field. Every bad field is named by its JSON path, one line each, so a
finance manager can fix the file in one go (interop.json_documents' form of problems).

budget.json: {"currency": "EUR", "overhead_percent": 25, "holdback_percent": 10,
"visit_fees": {"SCR": 500}, "procedure_fees": {"MRI": 800}, "screen_failure": {"fee": 300, "max_paid": 5},
"startup_fee": 5000, "closeout_fee": 2000, "invoiceable": {"ETHICS": 1500}}; any key may be absent.

events.json: [{"kind": "visit", "code": "V1", "participant": "101-001", "on": "2025-03-01"}, ...].
"""

import datetime as dt
from decimal import Decimal

from trialdesk.finance.rules import money
from trialdesk.finance.rules.earnings import KINDS, FeeSchedule, WorkDone
from trialdesk.interop.json_documents import DocumentError, FieldProblem, json_path

BUDGET_KEYS = (
    "currency",
    "overhead_percent",
    "holdback_percent",
    "visit_fees",
    "procedure_fees",
    "screen_failure",
    "startup_fee",
    "closeout_fee",
    "invoiceable",
)
EVENT_KEYS = ("kind", "code", "participant", "on")
FEE_TABLES = ("visit_fees", "procedure_fees", "invoiceable")
CODE_LIMIT = 40


class _Problems:
    def __init__(self, root: str):
        self.root = root
        self.found: list[FieldProblem] = []

    def add(self, loc: tuple, message: str) -> None:
        self.found.append(FieldProblem(json_path(loc, self.root), message))

    def amount(self, value, loc: tuple) -> Decimal | None:
        try:
            return money.parse_amount(value)
        except ValueError as problem:
            self.add(loc, _lower(str(problem)))
            return None

    def percent(self, value, loc: tuple, name: str, at_most) -> Decimal:
        try:
            amount = money.parse_amount(value, allow_negative=True)
        except ValueError as problem:
            self.add(loc, _lower(str(problem)))
            return money.ZERO
        problem = money.percent_problem(amount, name=name, at_most=at_most)
        if problem:
            self.add(loc, _lower(problem))
        return amount


def _lower(message: str) -> str:
    """A sentence continued after "path: " (a leading code such as EURO keeps its capitals)."""
    if message[1:2].isupper():
        return message
    return message[:1].lower() + message[1:]


def parse_fee_schedule(raw, *, root: str = "budget", at_cost: bool = False) -> FeeSchedule:
    """`raw` (the parsed budget.json) as a FeeSchedule; DocumentError naming every bad field.

    With `at_cost`, an invoiceable item may be null: paid at the invoice's own amount (pass-through)."""
    problems = _Problems(root)
    if not isinstance(raw, dict):
        raise DocumentError([FieldProblem(root or "$", "give an object with the fee schedule's keys")])
    for key in raw:
        if key not in BUDGET_KEYS:
            problems.add((key,), f"unknown key; use {', '.join(BUDGET_KEYS)}")
    currency = raw.get("currency")
    problem = money.currency_problem(currency)
    if problem:
        problems.add(("currency",), _lower(problem))
    overhead = problems.percent(raw.get("overhead_percent", 0), ("overhead_percent",), "overhead", None)
    holdback = problems.percent(raw.get("holdback_percent", 0), ("holdback_percent",), "holdback", 100)
    tables = {
        name: fee_table(raw.get(name) or {}, (name,), problems, at_cost=at_cost and name == "invoiceable")
        for name in FEE_TABLES
    }
    single = {}
    for name in ("startup_fee", "closeout_fee"):
        single[name] = None if raw.get(name) is None else problems.amount(raw[name], (name,))
    fee, cap = _screen_failure(raw.get("screen_failure"), problems)
    if problems.found:
        raise DocumentError(problems.found)
    return FeeSchedule(
        currency=currency,
        overhead_percent=overhead,
        holdback_percent=holdback,
        screen_failure_fee=fee,
        screen_failure_max_paid=cap,
        **tables,
        **single,
    )


def fee_table(raw, loc: tuple, problems: _Problems, *, at_cost: bool = False) -> dict[str, Decimal | None]:
    """{code: fee} from an object of codes and non-negative amounts (null: at cost, where allowed)."""
    if not isinstance(raw, dict):
        problems.add(loc, 'give an object of codes and fees, e.g. {"V1": 1200}')
        return {}
    table = {}
    for code, value in raw.items():
        if not isinstance(code, str) or not code.strip() or len(code) > CODE_LIMIT:
            problems.add((*loc, code), f"a code has 1 to {CODE_LIMIT} characters")
            continue
        if value is None and at_cost:
            table[code] = None
            continue
        amount = problems.amount(value, (*loc, code))
        if amount is not None:
            table[code] = amount
    return table


def _screen_failure(raw, problems: _Problems) -> tuple[Decimal | None, int | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict):
        problems.add(("screen_failure",), 'give an object, e.g. {"fee": 300, "max_paid": 5}')
        return None, None
    for key in raw:
        if key not in ("fee", "max_paid"):
            problems.add(("screen_failure", key), "unknown key; use fee, max_paid")
    fee = None if raw.get("fee") is None else problems.amount(raw["fee"], ("screen_failure", "fee"))
    cap = raw.get("max_paid")
    if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
        problems.add(("screen_failure", "max_paid"), "give a whole number of at least 0")
        cap = None
    return fee, cap


def parse_events(raw, *, root: str = "events") -> list[WorkDone]:
    """`raw` (the parsed events.json) as WorkDone items; DocumentError naming every bad field."""
    problems = _Problems(root)
    if not isinstance(raw, list):
        raise DocumentError([FieldProblem(root or "$", "give a list of events")])
    found = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.add((index,), "give an object with kind, code, participant and on")
            continue
        work = _event(item, index, problems)
        if work is not None:
            found.append(work)
    if problems.found:
        raise DocumentError(problems.found)
    return found


def _event(item: dict, index: int, problems: _Problems) -> WorkDone | None:
    before = len(problems.found)
    for key in item:
        if key not in EVENT_KEYS:
            problems.add((index, key), f"unknown key; use {', '.join(EVENT_KEYS)}")
    kind = item.get("kind")
    if kind not in KINDS:
        problems.add((index, "kind"), f"give one of {', '.join(KINDS)}")
    for key in ("code", "participant"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            problems.add((index, key), "give text or null")
    on = item.get("on")
    day = None
    try:
        day = dt.date.fromisoformat(on) if isinstance(on, str) and len(on) == 10 else None
    except ValueError:
        day = None
    if day is None:
        problems.add((index, "on"), "give a date as YYYY-MM-DD, e.g. 2025-03-01")
    if len(problems.found) > before:
        return None
    return WorkDone(kind=kind, on=day, code=item.get("code"), participant=item.get("participant"))
