"""Screening candidates against eligibility rules, vectorised with numpy, every result explained.

Rules are the JSON of `trialdesk eligibility parse` (interop.eligibility.rules documents them). A table of
candidates holds their facts as flat arrays (one row per coded fact), so a rule is evaluated for every
candidate at once; each result keeps the row it rests on, so `because` can say which value, which date
and which rule. A value that is missing, undated where the rule needs a date, older than the rule's
window, or in a unit that cannot be converted is `unknown`, never `met` or `not_met`; a candidate with
an unknown result is never `eligible`.

Units are converted with pint: UCUM spellings are read into pint's (a leading "10*9" is the number it
writes, annotations in braces are dimensionless as UCUM says), and mass to amount of substance goes
through pint's chemistry context with the analyte's molar mass.

Example
-------
>>> import datetime as dt
>>> from types import SimpleNamespace as Candidate
>>> people = [Candidate(key="C1", birth_date="1960-05-02", sex="female", conditions=[], observations=[],
...                     medications=[]), Candidate(key="C2", birth_date="", sex="male", conditions=[],
...                     observations=[], medications=[])]
>>> rules = [{"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}]
>>> outcome = evaluate(rules, build_table(people), as_of=dt.date(2026, 1, 1))
>>> [STATUS_WORDS[s] for s in statuses(outcome.results, exclusion=[False])]
['eligible', 'unknown']
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import numpy as np

MET, NOT_MET, UNKNOWN, MANUAL = 1, 0, -1, 2
RESULT_WORDS = {MET: "met", NOT_MET: "not_met", UNKNOWN: "unknown", MANUAL: "manual"}
ELIGIBLE, INELIGIBLE = 1, 0
STATUS_WORDS = {ELIGIBLE: "eligible", INELIGIBLE: "ineligible", UNKNOWN: "unknown"}
# Why a result is what it is, besides the value itself (kept per candidate and rule for `because`).
FOUND, MISSING, STALE, UNCONVERTIBLE, UNCERTAIN, UNDATED = 0, 1, 2, 3, 4, 5

PREFIX_SYSTEMS = frozenset(
    {"http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm", "http://www.whocc.no/atc"}
)
ICD10_SYSTEMS = frozenset({"http://hl7.org/fhir/sid/icd-10", "http://hl7.org/fhir/sid/icd-10-cm"})
# Molar masses (g/mol, PubChem) of analytes reported both by mass and by amount of substance.
MOLAR_MASS = {"2160-0": 113.12, "1975-2": 584.66, "1558-6": 180.16, "2345-7": 180.16}


@dataclass(frozen=True)
class FactRows:
    """One kind of coded fact of every candidate, one row per fact."""

    candidate: np.ndarray  # int64: the candidate's index
    code: np.ndarray  # int64: index into `vocabulary`
    vocabulary: list[tuple[str, str]]  # (system, code)
    on: np.ndarray  # datetime64[D], NaT when undated
    value: np.ndarray  # float64 (observations), NaN otherwise
    unit: np.ndarray  # int64: index into `units`
    units: list[str]


@dataclass(frozen=True)
class CandidateTable:
    """Candidates' facts as arrays: birth date bounds (a year alone spans the year), sex, coded facts.
    `known[kind]` is False for a candidate whose source says nothing about that kind of fact."""

    keys: list[str]
    birth_early: np.ndarray
    birth_late: np.ndarray
    sex: np.ndarray
    facts: dict[str, FactRows]
    known: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.keys)


@dataclass(frozen=True)
class Outcome:
    """Per candidate (row) and rule (column): the result, the fact row it rests on (-1: none), the
    reason code, and the value compared (in the rule's unit, NaN where none)."""

    results: np.ndarray
    evidence: np.ndarray
    reasons: np.ndarray
    values: np.ndarray
    as_of: dt.date


_EPOCH = dt.date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # NaT as datetime64's integer


def _day(value: dt.date | None) -> int:
    return _NAT if value is None else value.toordinal() - _EPOCH


def _birth_bounds(written: str) -> tuple[int, int]:
    """The earliest and latest birth day a birth date as written allows (days since 1970; NaT unknown)."""
    if not written:
        return _NAT, _NAT
    year = int(written[:4])
    if len(written) == 4:
        return _day(dt.date(year, 1, 1)), _day(dt.date(year, 12, 31))
    month = int(written[5:7])
    if len(written) == 7:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return _day(dt.date(year, month, 1)), _day(following) - 1
    day = _day(dt.date.fromisoformat(written))
    return day, day


def _days(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64).view("datetime64[D]")


def _indexed(keys: list) -> tuple[np.ndarray, list]:
    """Each key's index into the list of distinct keys (first-seen order), and that list."""
    index: dict = {}
    positions = [index.setdefault(key, len(index)) for key in keys]
    return np.array(positions, dtype=np.int64), list(index)


def _fact_rows(candidates, attribute: str) -> tuple[FactRows, np.ndarray]:
    lists = [getattr(candidate, attribute) for candidate in candidates]
    known = np.array([facts is not None for facts in lists], dtype=bool)
    sizes = [len(facts) if facts else 0 for facts in lists]
    flat = [fact for facts in lists if facts for fact in facts]
    systems = {fact.system for fact in flat}
    if len(systems) == 1:  # the usual case: index the codes alone, making no (system, code) pair per fact
        system = systems.pop()
        code, codes = _indexed([fact.code for fact in flat])
        vocabulary = [(system, written) for written in codes]
    else:
        code, vocabulary = _indexed([(fact.system, fact.code) for fact in flat])
    unit, units = _indexed([fact.unit or "" for fact in flat])
    table = FactRows(
        candidate=np.repeat(np.arange(len(lists), dtype=np.int64), sizes),
        code=code,
        vocabulary=vocabulary,
        on=_days([_NAT if fact.on is None else fact.on.toordinal() - _EPOCH for fact in flat]),
        value=np.array([np.nan if fact.value is None else fact.value for fact in flat], dtype=np.float64),
        unit=unit,
        units=units,
    )
    return table, known


def build_table(candidates) -> CandidateTable:
    """The table of `candidates` (objects with key, birth_date, sex, conditions, observations and
    medications as interop.eligibility.candidates.CandidateRecord has them)."""
    bounds = [_birth_bounds(c.birth_date) for c in candidates]
    facts, known = {}, {}
    for kind in ("conditions", "observations", "medications"):
        facts[kind], known[kind] = _fact_rows(candidates, kind)
    return CandidateTable(
        keys=[c.key for c in candidates],
        birth_early=_days([b[0] for b in bounds]),
        birth_late=_days([b[1] for b in bounds]),
        sex=np.array([c.sex or "" for c in candidates], dtype=object),
        facts=facts,
        known=known,
    )


# Units ------------------------------------------------------------------------------------------------


@functools.cache
def _registry():
    import pint

    return pint.UnitRegistry()


def _pint_spelling(ucum: str) -> tuple[float, str]:
    """A UCUM unit as (the number it writes, a pint expression): "10*9/L" → (1e9, "1/L")."""
    spelled = re.sub(r"\{[^}]*\}", "", ucum.strip())
    scale = 1.0
    if match := re.match(r"^10[*^](\d+)(.*)$", spelled):
        scale, spelled = 10.0 ** int(match.group(1)), match.group(2)
    spelled = spelled.replace("%", "percent")
    spelled = re.sub(r"([a-zA-Z])(\d)", r"\1**\2", spelled)
    if spelled.startswith("/"):
        spelled = "1" + spelled
    spelled = spelled.rstrip("/") or "dimensionless"
    return scale, spelled


def unit_problem(ucum) -> str | None:
    """None when the units library understands `ucum`, else why not (for a rule's `unit` field)."""
    if not isinstance(ucum, str):
        return "must be text"
    try:
        _registry().Quantity(1, _pint_spelling(ucum)[1])
    except Exception:  # pint raises several kinds for an expression it cannot read
        return f"{ucum!r} is not a unit the units library understands (UCUM, e.g. 10*9/L, mg/dL, %)"
    return None


@functools.cache
def conversion_factor(source: str, target: str, loinc: str = "") -> float | None:
    """What a value in `source` is multiplied by to be in `target`; None when they cannot be converted."""
    if unit_problem(source) or unit_problem(target):
        return None
    registry = _registry()
    (source_scale, source_units), (target_scale, target_units) = (
        _pint_spelling(source),
        _pint_spelling(target),
    )
    quantity = registry.Quantity(source_scale, source_units)
    if quantity.dimensionless and (source_scale, source_units) != (target_scale, target_units):
        # Ratios on different scales are different methods, not units: HbA1c in % (NGSP) and in
        # mmol/mol (IFCC) are related by a regression, which pint would take for a factor of 1000.
        return None
    try:
        converted = quantity.to(target_units)
    except Exception:
        if loinc not in MOLAR_MASS:
            return None
        try:
            converted = quantity.to(target_units, "chemistry", mw=MOLAR_MASS[loinc] * registry("g/mol"))
        except Exception:
            return None
    return float(converted.magnitude) / target_scale


# Evaluation ------------------------------------------------------------------------------------------


def code_matches(rule_code: dict, system: str, code: str) -> bool:
    """Whether a recorded (system, code) is the rule's code or, where the system says so, a descendant
    (ICD-10 and ATC by prefix; a range "B20-B24" by its three-character stems)."""
    if system != rule_code["system"] and not {system, rule_code["system"]} <= ICD10_SYSTEMS:
        return False
    wanted, code = rule_code["code"].upper(), code.upper()
    if rule_code["system"] not in PREFIX_SYSTEMS:
        return code == wanted
    if "-" in wanted:
        low, high = wanted.split("-", 1)
        return low <= code[: len(low)] <= high
    return code.startswith(wanted)


def _completed(birth: np.ndarray, as_of: np.datetime64, unit: str) -> np.ndarray:
    """Completed years, months, weeks or days of age on `as_of` (NaN where the birth date is unknown)."""
    days = (as_of - birth).astype("timedelta64[D]").astype(np.float64)
    days[np.isnat(birth)] = np.nan
    if unit in ("days", "weeks"):
        return days if unit == "days" else np.floor(days / 7)
    month_index = birth.astype("datetime64[M]").astype(np.int64)
    day_of_month = (birth - birth.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    as_of_month = as_of.astype("datetime64[M]").astype(np.int64)
    as_of_day = int((as_of - as_of.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64))
    months = (as_of_month - month_index - (as_of_day < day_of_month)).astype(np.float64)
    months[np.isnat(birth)] = np.nan
    return months if unit == "months" else np.floor(months / 12)


def _in_range(age: np.ndarray, rule: dict) -> np.ndarray:
    holds = np.ones(age.shape, dtype=bool)
    if rule.get("minimum") is not None:
        holds &= age >= rule["minimum"]
    if rule.get("maximum") is not None:
        holds &= age <= rule["maximum"]
    return holds


def _age(rule: dict, table: CandidateTable, as_of: np.datetime64):
    unit = rule.get("unit", "years")
    oldest, youngest = _completed(table.birth_early, as_of, unit), _completed(table.birth_late, as_of, unit)
    holds_old, holds_young = _in_range(oldest, rule), _in_range(youngest, rule)
    results = np.where(holds_old, MET, NOT_MET).astype(np.int8)
    reasons = np.full(len(table), FOUND, dtype=np.int8)
    uncertain = holds_old != holds_young
    results[uncertain], reasons[uncertain] = UNKNOWN, UNCERTAIN
    missing = np.isnan(oldest)
    results[missing], reasons[missing] = UNKNOWN, MISSING
    return results, np.full(len(table), -1), reasons, youngest


def _sex(rule: dict, table: CandidateTable, as_of):
    known = table.sex != ""
    results = np.where(table.sex == rule["sex"], MET, NOT_MET).astype(np.int8)
    results[~known] = UNKNOWN
    reasons = np.where(known, FOUND, MISSING).astype(np.int8)
    return results, np.full(len(table), -1), reasons, np.full(len(table), np.nan)


def _matching_rows(rule: dict, rows: FactRows) -> np.ndarray:
    wanted = [
        i for i, (system, code) in enumerate(rows.vocabulary) if code_matches(rule["code"], system, code)
    ]
    return np.isin(rows.code, wanted)


def _presence(kind: str):
    def evaluate(rule: dict, table: CandidateTable, as_of: np.datetime64):
        rows, size = table.facts[kind], len(table)
        match = _matching_rows(rule, rows) & ~(rows.on > as_of)
        undated = match & np.isnat(rows.on)
        if rule.get("within_days") is not None:
            match &= rows.on >= as_of - np.timedelta64(rule["within_days"], "D")
        found, only_undated = np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
        evidence = np.full(size, -1, dtype=np.int64)
        found[rows.candidate[match]] = True
        evidence[rows.candidate[match]] = np.flatnonzero(match)
        present = rule.get("present", True)
        results = np.where(found == present, MET, NOT_MET).astype(np.int8)
        reasons = np.where(found, FOUND, MISSING).astype(np.int8)
        if rule.get("within_days") is not None:
            only_undated[rows.candidate[undated]] = True
            only_undated &= ~found
            results[only_undated], reasons[only_undated] = UNKNOWN, UNDATED
        unknown = ~table.known[kind]
        results[unknown], reasons[unknown] = UNKNOWN, MISSING
        return results, evidence, reasons, np.full(size, np.nan)

    return evaluate


def _latest(rows: FactRows, selected: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate, row) of each candidate's latest selected row (undated rows count as the oldest)."""
    index = np.flatnonzero(selected)
    if index.size == 0:
        return index, index
    days = rows.on[index].astype(np.int64)
    days[np.isnat(rows.on[index])] = np.iinfo(np.int64).min
    order = index[np.lexsort((days, rows.candidate[index]))]
    owners = rows.candidate[order]
    last = np.ones(order.size, dtype=bool)
    last[:-1] = owners[1:] != owners[:-1]
    return owners[last], order[last]


_COMPARE = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "=": np.equal,
}


def _observation(rule: dict, table: CandidateTable, as_of: np.datetime64):
    rows, size = table.facts["observations"], len(table)
    owners, chosen = _latest(rows, _matching_rows(rule, rows) & ~(rows.on > as_of))
    results = np.full(size, UNKNOWN, dtype=np.int8)
    reasons = np.full(size, MISSING, dtype=np.int8)
    evidence = np.full(size, -1, dtype=np.int64)
    values = np.full(size, np.nan)
    evidence[owners] = chosen
    factors = np.array(
        [conversion_factor(u, rule["unit"], rule["code"]["code"]) or np.nan for u in rows.units]
    )
    converted = rows.value[chosen] * (factors[rows.unit[chosen]] if factors.size else 1.0)
    values[owners] = np.round(converted, 9)
    reasons[owners] = np.where(np.isnan(converted), UNCONVERTIBLE, FOUND)
    if rule.get("within_days") is not None:
        stale = np.isnat(rows.on[chosen]) | (
            rows.on[chosen] < as_of - np.timedelta64(rule["within_days"], "D")
        )
        reasons[owners[stale & ~np.isnan(converted)]] = STALE
    usable = reasons == FOUND
    holds = _COMPARE[rule["comparator"]](values, rule["value"])
    results[usable] = np.where(holds[usable], MET, NOT_MET)
    return results, evidence, reasons, values


_EVALUATORS = {
    "age": _age,
    "sex": _sex,
    "condition": _presence("conditions"),
    "medication": _presence("medications"),
    "observation": _observation,
}


def evaluate(rules: list[dict | None], table: CandidateTable, *, as_of: dt.date) -> Outcome:
    """Every candidate against every rule (None: a manual item) on the day `as_of`."""
    size, count = len(table), len(rules)
    outcome = Outcome(
        results=np.full((size, count), MANUAL, dtype=np.int8),
        evidence=np.full((size, count), -1, dtype=np.int64),
        reasons=np.zeros((size, count), dtype=np.int8),
        values=np.full((size, count), np.nan),
        as_of=as_of,
    )
    day = np.datetime64(as_of, "D")
    for column, rule in enumerate(rules):
        if rule is not None:
            found = _EVALUATORS[rule["kind"]](rule, table, day)
            for target, part in zip(("results", "evidence", "reasons", "values"), found, strict=True):
                getattr(outcome, target)[:, column] = part
    return outcome


def statuses(results: np.ndarray, *, exclusion) -> np.ndarray:
    """Each candidate's status: ineligible when an inclusion is not met or an exclusion is met, else
    unknown when a result is unknown, else eligible (manual items are left to the site)."""
    exclusion = np.asarray(exclusion, dtype=bool)
    fails = ((results == NOT_MET) & ~exclusion) | ((results == MET) & exclusion)
    unknown = (results == UNKNOWN).any(axis=1)
    return np.where(fails.any(axis=1), INELIGIBLE, np.where(unknown, UNKNOWN, ELIGIBLE)).astype(np.int8)


# Explanations ----------------------------------------------------------------------------------------


def _g(value: float) -> str:
    return f"{value:g}"


def because(rule: dict | None, table: CandidateTable, outcome: Outcome, row: int, column: int) -> str:
    """Why candidate `row` has its result for rule `column`: which value, which date, which rule."""
    if rule is None:
        return "no rule: the site checks this item by hand"
    reason, kind = outcome.reasons[row, column], rule["kind"]
    if kind == "age":
        return _age_because(rule, table, outcome, row, reason)
    if kind == "sex":
        return f"sex recorded as {table.sex[row]}" if reason == FOUND else "sex not recorded"
    facts = kind + "s"
    rows = table.facts[facts]
    fact = outcome.evidence[row, column]
    wanted = f"{rule['code']['code']} ({rule.get('display') or rule['code']['system']})"
    if kind == "observation":
        return _observation_because(rule, rows, outcome, row, column, reason, fact, wanted)
    if reason == MISSING and fact < 0 and not table.known[facts][row]:
        return f"no {kind} data in the candidate's record"
    if reason == UNDATED:
        return f"{wanted} recorded without a date; the rule looks back {rule['within_days']} days"
    if fact < 0:
        window = (
            f" in the {rule['within_days']} days before {outcome.as_of}"
            if rule.get("within_days") is not None
            else ""
        )
        return f"no {kind} matching {wanted} recorded{window}"
    system, code = rows.vocabulary[rows.code[fact]]
    on = rows.on[fact]
    return f"{kind} {code} recorded" + ("" if np.isnat(on) else f" on {on}") + f", matching {wanted}"


def _age_because(rule, table, outcome, row, reason) -> str:
    unit = rule.get("unit", "years")
    if reason == MISSING:
        return "birth date not recorded"
    early, late = table.birth_early[row], table.birth_late[row]
    as_of = np.datetime64(outcome.as_of, "D")
    old = _g(float(_completed(np.array([early]), as_of, unit)[0]))
    young = _g(float(_completed(np.array([late]), as_of, unit)[0]))
    age = old if old == young else f"{young} or {old}"
    return f"aged {age} {unit} on {outcome.as_of}" + (
        " (birth date known only in part)" if reason == UNCERTAIN else ""
    )


def _observation_because(rule, rows, outcome, row, column, reason, fact, wanted) -> str:
    if fact < 0:
        return f"no {wanted} recorded on or before {outcome.as_of}"
    on, value, unit = rows.on[fact], rows.value[fact], rows.units[rows.unit[fact]]
    when = "undated" if np.isnat(on) else f"on {on}"
    written = f"{wanted} {_g(value)} {unit} {when}"
    if reason == UNCONVERTIBLE:
        return f"{written}: {unit or 'no unit'} cannot be converted to {rule['unit']}"
    if reason == STALE:
        return f"{written}: older than the {rule['within_days']} days the rule allows"
    converted = outcome.values[row, column]
    shown = "" if unit == rule["unit"] else f" (= {_g(converted)} {rule['unit']})"
    return f"{written}{shown}, rule {rule['comparator']} {_g(rule['value'])} {rule['unit']}"
