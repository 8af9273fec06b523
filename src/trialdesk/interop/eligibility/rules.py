"""The structured rule of an eligibility criterion, as JSON (the format of `trialdesk eligibility parse`).

A criterion is `{"text", "rule"}`; its rule is null (the item stays manual: the site checks it) or one of

- `{"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}` (either bound may be null; inclusive)
- `{"kind": "sex", "sex": "female"}`
- `{"kind": "condition", "code": {"system", "code"}, "present": true, "within_days": null, "display"}`
- `{"kind": "observation", "code": {"system", "code"}, "comparator": ">=", "value": 1.5,
  "unit": "10*9/L", "within_days": 28, "display"}`
- `{"kind": "medication", "code": {"system", "code"}, "present": false, "within_days": 183, "display"}`

A rule states a fact about the candidate; the criterion is `met` when the fact holds. For an exclusion
criterion, `met` means the candidate is excluded. Codes match their descendants where the code system
gives them by prefix (ICD-10 "C50" covers "C50.9"; ATC "L01" covers "L01XE01") and ranges are written
"B20-B24"; SNOMED CT, LOINC and RxNorm codes match exactly (no hierarchy is shipped offline).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

KINDS = ("age", "sex", "condition", "observation", "medication")
COMPARATORS = (">=", ">", "<=", "<", "=")
AGE_UNITS = ("years", "months", "weeks", "days")
SEXES = ("female", "male")
SECTIONS = ("inclusion", "exclusion")

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
ATC = "http://www.whocc.no/atc"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


class CriteriaError(ValueError):
    """Criteria that cannot be used; `problems` name each item ("inclusion[2].rule.value: ...")."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Criterion:
    """One inclusion or exclusion item: its text as written and its rule (None: checked by hand)."""

    section: str
    text: str
    rule: dict | None = None

    def as_json(self) -> dict:
        return {"text": self.text, "rule": self.rule}


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _code_problems(rule: dict) -> list[str]:
    code = rule.get("code")
    if not isinstance(code, dict) or set(code) != {"system", "code"}:
        return ['code: must be {"system", "code"}']
    if not all(isinstance(code[k], str) and code[k].strip() for k in ("system", "code")):
        return ["code: system and code must be non-empty text"]
    return []


def _window_problems(rule: dict) -> list[str]:
    within = rule.get("within_days")
    if within is None:
        return []
    if not isinstance(within, int) or isinstance(within, bool) or not 0 <= within <= 36500:
        return ["within_days: must be a whole number of days from 0 to 36500, or null"]
    return []


def _age_problems(rule: dict) -> list[str]:
    problems = []
    for bound in ("minimum", "maximum"):
        value = rule.get(bound)
        if value is not None and (not _number(value) or value < 0):
            problems.append(f"{bound}: must be a number of {rule.get('unit', 'years')}, 0 or more, or null")
    if rule.get("minimum") is None and rule.get("maximum") is None:
        problems.append("minimum: give a minimum, a maximum or both")
    if rule.get("unit", "years") not in AGE_UNITS:
        problems.append(f"unit: must be one of {', '.join(AGE_UNITS)}")
    if not problems and rule.get("minimum") is not None and rule.get("maximum") is not None:
        if rule["minimum"] > rule["maximum"]:
            problems.append("maximum: must not be below the minimum")
    return problems


def _observation_problems(rule: dict) -> list[str]:
    # Whether the unit is one the units library understands is analytics.eligibility.unit_problem's to say.
    problems = _code_problems(rule) + _window_problems(rule)
    if rule.get("comparator") not in COMPARATORS:
        problems.append(f"comparator: must be one of {' '.join(COMPARATORS)}")
    if not _number(rule.get("value")):
        problems.append("value: must be a number")
    if not isinstance(rule.get("unit"), str):
        problems.append('unit: must be text (a UCUM unit such as "10*9/L", "mg/dL" or "{score}")')
    return problems


def _presence_problems(rule: dict) -> list[str]:
    problems = _code_problems(rule) + _window_problems(rule)
    if not isinstance(rule.get("present", True), bool):
        problems.append("present: must be true or false")
    return problems


_ALLOWED = {
    "age": {"minimum", "maximum", "unit"},
    "sex": {"sex"},
    "condition": {"code", "present", "within_days", "display"},
    "observation": {"code", "comparator", "value", "unit", "within_days", "display"},
    "medication": {"code", "present", "within_days", "display"},
}


def rule_problems(rule) -> list[str]:
    """What is wrong with a rule, each naming its field; empty when the rule can be evaluated."""
    if rule is None:
        return []
    if not isinstance(rule, dict):
        return ["must be null or an object"]
    kind = rule.get("kind")
    if kind not in KINDS:
        return [f"kind: must be one of {', '.join(KINDS)}"]
    unknown = sorted(set(rule) - _ALLOWED[kind] - {"kind"})
    problems = [f"{name}: not a field of a {kind} rule" for name in unknown]
    if kind == "age":
        problems += _age_problems(rule)
    elif kind == "sex":
        if rule.get("sex") not in SEXES:
            problems.append("sex: must be female or male")
    elif kind == "observation":
        problems += _observation_problems(rule)
    else:
        problems += _presence_problems(rule)
    if "display" in rule and not isinstance(rule["display"], str):
        problems.append("display: must be text")
    return problems


def criteria_from_json(document) -> list[Criterion]:
    """The criteria of a `parse` output (possibly edited by hand); CriteriaError names every bad item."""
    if not isinstance(document, dict) or not set(document) <= set(SECTIONS):
        raise CriteriaError(['the file must be an object {"inclusion": [...], "exclusion": [...]}'])
    criteria, problems = [], []
    for section in SECTIONS:
        items = document.get(section, [])
        if not isinstance(items, list):
            problems.append(f"{section}: must be a list")
            continue
        for number, item in enumerate(items):
            where = f"{section}[{number}]"
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                problems.append(f'{where}: must be an object {{"text", "rule"}} with text')
                continue
            if extra := sorted(set(item) - {"text", "rule"}):
                problems.append(f"{where}: unknown field {extra[0]}")
            item_problems = [f"{where}.rule.{p}" for p in rule_problems(item.get("rule"))]
            problems += item_problems
            criteria.append(Criterion(section, item["text"], item.get("rule")))
    if problems:
        raise CriteriaError(problems)
    return criteria


def criteria_as_json(criteria: list[Criterion]) -> dict:
    """The `parse` output: {"inclusion": [{"text", "rule"}], "exclusion": [...]}."""
    return {section: [c.as_json() for c in criteria if c.section == section] for section in SECTIONS}


def describe_rule(rule: dict | None) -> str:
    """A rule in words, for pages and reports ("ANC (LOINC 751-8) >= 1.5 10*9/L within 28 days")."""
    if rule is None:
        return "checked by hand"
    kind = rule["kind"]
    if kind == "age":
        low, high, unit = rule.get("minimum"), rule.get("maximum"), rule.get("unit", "years")
        if low is not None and high is not None:
            return f"age {_n(low)} to {_n(high)} {unit}"
        return f"age ≥ {_n(low)} {unit}" if low is not None else f"age ≤ {_n(high)} {unit}"
    if kind == "sex":
        return f"sex {rule['sex']}"
    name = rule.get("display") or rule["code"]["code"]
    code = f"{name} ({system_name(rule['code']['system'])} {rule['code']['code']})"
    window = f" within {rule['within_days']} days" if rule.get("within_days") is not None else ""
    if kind == "observation":
        return f"{code} {rule['comparator']} {_n(rule['value'])} {rule['unit']}{window}".replace("  ", " ")
    verb = "present" if rule.get("present", True) else "absent"
    return f"{kind} {code} {verb}{window}"


def system_name(system: str) -> str:
    return {LOINC: "LOINC", SNOMED: "SNOMED CT", ICD10: "ICD-10", ICD10_CM: "ICD-10-CM", ATC: "ATC"}.get(
        system, "RxNorm" if system == RXNORM else system
    )


def _n(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
