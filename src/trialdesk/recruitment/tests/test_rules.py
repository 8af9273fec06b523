"""The rule evaluation engine (analytics.eligibility) as tables: one row per rule kind, comparator and unit
case, input → expected result; and the property that a missing value is never `eligible`."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.analytics import eligibility as engine
from trialdesk.interop.eligibility.candidates import CandidateRecord, CodedFact

AS_OF = dt.date(2026, 6, 15)
LOINC, ICD10, ATC = "http://loinc.org", "http://hl7.org/fhir/sid/icd-10", "http://www.whocc.no/atc"
ANC, CREATININE, HGB, HBA1C = "751-8", "2160-0", "718-7", "4548-4"


def person(**facts) -> CandidateRecord:
    return CandidateRecord(key="C", **{"birth_date": "1970-06-15", "sex": "female", **facts})


def lab(code, value, unit, on="2026-06-01") -> CodedFact:
    return CodedFact(LOINC, code, dt.date.fromisoformat(on) if on else None, value, unit)


def observation(code, comparator, value, unit, **more) -> dict:
    return {
        "kind": "observation",
        "code": {"system": LOINC, "code": code},
        "comparator": comparator,
        "value": value,
        "unit": unit,
        **more,
    }


def condition(code, present=True, system=ICD10, **more) -> dict:
    return {"kind": "condition", "code": {"system": system, "code": code}, "present": present, **more}


def result_of(rule, candidate) -> str:
    outcome = engine.evaluate([rule], engine.build_table([candidate]), as_of=AS_OF)
    return engine.RESULT_WORDS[int(outcome.results[0, 0])]


AGE_18_75 = {"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}

# (rule, candidate, expected result, why)
TABLE = [
    # age: inclusive bounds in completed units on the as-of day
    (AGE_18_75, person(birth_date="2008-06-15"), "met", "18th birthday today"),
    (AGE_18_75, person(birth_date="2008-06-16"), "not_met", "18 tomorrow"),
    (AGE_18_75, person(birth_date="1950-06-16"), "met", "75 until tomorrow"),
    (AGE_18_75, person(birth_date="1950-06-15"), "not_met", "76 today"),
    (AGE_18_75, person(birth_date=""), "unknown", "no birth date"),
    (AGE_18_75, person(birth_date="1990"), "met", "a year alone, well inside"),
    (AGE_18_75, person(birth_date="2008"), "unknown", "born in 2008: 17 or 18"),
    (AGE_18_75, person(birth_date="2008-05"), "met", "born in May 2008: 18 either way"),
    (
        {"kind": "age", "minimum": 6, "maximum": None, "unit": "months"},
        person(birth_date="2025-12-15"),
        "met",
        "6 months today",
    ),
    (
        {"kind": "age", "minimum": 6, "maximum": None, "unit": "months"},
        person(birth_date="2025-12-16"),
        "not_met",
        "a day short",
    ),
    (
        {"kind": "age", "minimum": None, "maximum": 27, "unit": "days"},
        person(birth_date="2026-05-20"),
        "met",
        "26 days",
    ),
    # sex
    ({"kind": "sex", "sex": "female"}, person(sex="female"), "met", "female"),
    ({"kind": "sex", "sex": "female"}, person(sex="male"), "not_met", "male"),
    ({"kind": "sex", "sex": "male"}, person(sex=""), "unknown", "not recorded"),
    # condition: codes, descendants, ranges, windows
    (
        condition("C50"),
        person(conditions=[CodedFact(ICD10, "C50.9", dt.date(2024, 1, 1))]),
        "met",
        "ICD-10 descendant",
    ),
    (
        condition("C50"),
        person(conditions=[CodedFact(ICD10, "C18.7", dt.date(2024, 1, 1))]),
        "not_met",
        "another code",
    ),
    (condition("B20-B24"), person(conditions=[CodedFact(ICD10, "B22.1", None)]), "met", "inside a range"),
    (condition("B20-B24", present=False), person(conditions=[]), "met", "absent, none recorded"),
    (condition("B20-B24", present=False), person(conditions=None), "unknown", "no condition data at all"),
    (
        condition("I21", within_days=183),
        person(conditions=[CodedFact(ICD10, "I21.4", dt.date(2026, 3, 1))]),
        "met",
        "in the window",
    ),
    (
        condition("I21", within_days=183),
        person(conditions=[CodedFact(ICD10, "I21.4", dt.date(2025, 3, 1))]),
        "not_met",
        "before the window",
    ),
    (
        condition("I21", within_days=183),
        person(conditions=[CodedFact(ICD10, "I21.4", None)]),
        "unknown",
        "undated, window asked",
    ),
    (
        condition("I21"),
        person(conditions=[CodedFact(ICD10, "I21.4", dt.date(2026, 7, 1))]),
        "not_met",
        "after the as-of day",
    ),
    (
        condition("77386006", system="http://snomed.info/sct"),
        person(conditions=[CodedFact("http://snomed.info/sct", "77386006")]),
        "met",
        "SNOMED CT exact",
    ),
    (
        condition("7738600", system="http://snomed.info/sct"),
        person(conditions=[CodedFact("http://snomed.info/sct", "77386006")]),
        "not_met",
        "SNOMED CT: no prefix",
    ),
    # medication
    (
        {"kind": "medication", "code": {"system": ATC, "code": "L01"}, "present": False},
        person(medications=[CodedFact(ATC, "L01XE01", dt.date(2026, 1, 1))]),
        "not_met",
        "ATC descendant taken",
    ),
    (
        {"kind": "medication", "code": {"system": ATC, "code": "L01"}, "present": True, "within_days": 28},
        person(medications=[CodedFact(ATC, "L01XE01", dt.date(2026, 1, 1))]),
        "not_met",
        "taken, not lately",
    ),
    (
        {"kind": "medication", "code": {"system": ATC, "code": "L01"}, "present": False},
        person(medications=None),
        "unknown",
        "no medication data",
    ),
    # observation: each comparator
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "met",
        ">= at the value",
    ),
    (
        observation(ANC, ">", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "not_met",
        "> at the value",
    ),
    (
        observation(ANC, "<=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "met",
        "<= at the value",
    ),
    (
        observation(ANC, "<", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "not_met",
        "< at the value",
    ),
    (
        observation(ANC, "=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "met",
        "= at the value",
    ),
    # observation: units converted by pint
    (
        observation(ANC, ">=", 1500, "/uL"),
        person(observations=[lab(ANC, 1.5, "10*9/L")]),
        "met",
        "1.5 × 10⁹/L is 1500 per µL",
    ),
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1499, "/uL")]),
        "not_met",
        "1499 per µL",
    ),
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.5, "10*3/uL")]),
        "met",
        "10³/µL is 10⁹/L",
    ),
    (
        observation(HGB, ">=", 100, "g/L"),
        person(observations=[lab(HGB, 10.0, "g/dL")]),
        "met",
        "10 g/dL is 100 g/L",
    ),
    (observation(HGB, ">=", 100, "g/L"), person(observations=[lab(HGB, 9.9, "g/dL")]), "not_met", "99 g/L"),
    (
        observation(CREATININE, "<=", 133, "umol/L"),
        person(observations=[lab(CREATININE, 1.5, "mg/dL")]),
        "met",
        "1.5 mg/dL is 132.6 µmol/L (molar mass 113.12)",
    ),
    (
        observation(CREATININE, "<=", 132, "umol/L"),
        person(observations=[lab(CREATININE, 1.5, "mg/dL")]),
        "not_met",
        "132.6 µmol/L",
    ),
    (
        observation(HBA1C, "<=", 8, "%"),
        person(observations=[lab(HBA1C, 53, "mmol/mol")]),
        "unknown",
        "IFCC to NGSP is no unit conversion",
    ),
    (
        observation("89247-1", "<=", 1, "{score}"),
        person(observations=[lab("89247-1", 1, "{score}")]),
        "met",
        "ECOG score",
    ),
    (
        observation("62238-1", ">=", 50, "mL/min/{1.73_m2}"),
        person(observations=[lab("62238-1", 0.9, "mL/s")]),
        "met",
        "0.9 mL/s is 54 mL/min",
    ),
    # observation: which value, which date
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 1.0, "10*9/L", "2026-01-01"), lab(ANC, 2.0, "10*9/L", "2026-05-01")]),
        "met",
        "the latest counts",
    ),
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 2.0, "10*9/L", "2026-07-01")]),
        "unknown",
        "only after the as-of day",
    ),
    (
        observation(ANC, ">=", 1.5, "10*9/L", within_days=28),
        person(observations=[lab(ANC, 2.0, "10*9/L", "2026-04-01")]),
        "unknown",
        "older than the window",
    ),
    (
        observation(ANC, ">=", 1.5, "10*9/L", within_days=28),
        person(observations=[lab(ANC, 2.0, "10*9/L", "2026-05-20")]),
        "met",
        "inside the window",
    ),
    (observation(ANC, ">=", 1.5, "10*9/L"), person(observations=[]), "unknown", "never measured"),
    (
        observation(ANC, ">=", 1.5, "10*9/L"),
        person(observations=[lab(ANC, 2.0, "kg")]),
        "unknown",
        "a unit that is not a count",
    ),
]


@pytest.mark.parametrize("rule, candidate, expected, why", TABLE, ids=[row[3] for row in TABLE])
def test_rule_table(rule, candidate, expected, why):
    assert result_of(rule, candidate) == expected, why


@pytest.mark.parametrize(
    "inclusion, exclusion, expected",
    [
        (["met", "met"], ["not_met"], "eligible"),
        (["met", "manual"], ["not_met"], "eligible"),
        (["met", "not_met"], ["not_met"], "ineligible"),
        (["met", "met"], ["met"], "ineligible"),
        (["met", "unknown"], ["not_met"], "unknown"),
        (["unknown", "not_met"], ["unknown"], "ineligible"),
        (["met"], ["unknown"], "unknown"),
    ],
)
def test_status_table(inclusion, exclusion, expected):
    codes = {word: code for code, word in engine.RESULT_WORDS.items()}
    results = [[codes[w] for w in inclusion + exclusion]]
    exclusion_mask = [False] * len(inclusion) + [True] * len(exclusion)
    import numpy as np

    found = engine.statuses(np.array(results, dtype=np.int8), exclusion=exclusion_mask)
    assert engine.STATUS_WORDS[int(found[0])] == expected


def test_a_result_says_which_value_which_date_and_which_rule():
    rule = observation(ANC, ">=", 1500, "/uL")
    candidate = person(observations=[lab(ANC, 2.1, "10*9/L", "2026-05-02")])
    table = engine.build_table([candidate])
    outcome = engine.evaluate([rule], table, as_of=AS_OF)
    assert engine.because(rule, table, outcome, 0, 0) == (
        "751-8 (http://loinc.org) 2.1 10*9/L on 2026-05-02 (= 2100 /uL), rule >= 1500 /uL"
    )


RULES = st.sampled_from(
    [
        AGE_18_75,
        {"kind": "sex", "sex": "female"},
        observation(ANC, ">=", 1.5, "10*9/L"),
        observation(ANC, "<", 0.5, "10*9/L"),
        observation(HGB, ">=", 9, "g/dL"),
    ]
)
MISSING = {"age": {"birth_date": ""}, "sex": {"sex": ""}, "observation": {"observations": []}}


@settings(max_examples=60, deadline=None)
@given(
    missing=RULES,
    others=st.lists(RULES, max_size=4),
    exclusion=st.booleans(),
    birth_year=st.integers(1930, 2020),
    sex=st.sampled_from(["female", "male", "other"]),
    anc=st.floats(0, 20, allow_nan=False),
)
def test_a_candidate_missing_a_value_is_never_eligible(missing, others, exclusion, birth_year, sex, anc):
    """Whatever the other rules and values, a candidate without the value a rule reads gets `unknown`
    for that rule, and is never `eligible` (it is `unknown`, or `ineligible` by another rule)."""
    facts = {
        "birth_date": f"{birth_year}-03-01",
        "sex": sex,
        "observations": [lab(ANC, anc, "10*9/L"), lab(HGB, 12, "g/dL")],
    }
    facts |= MISSING[missing["kind"]]
    rules = [missing, *others]
    outcome = engine.evaluate(rules, engine.build_table([CandidateRecord(key="P", **facts)]), as_of=AS_OF)
    assert outcome.results[0, 0] == engine.UNKNOWN
    status = engine.statuses(outcome.results, exclusion=[exclusion] + [False] * len(others))[0]
    assert status != engine.ELIGIBLE
