"""Time pre-screening 100,000 candidates against 30 eligibility rules (issue 18; target: under 5 s).

Synthetic candidates (seeded): birth dates over 18–90 years, sex, 0–6 ICD-10 conditions, 0–3 ATC
medications and 8 LOINC observations each, a third of them in another unit than the rule's (so pint
converts). The 30 rules: age, sex, 10 conditions (some with a window), 4 medications, 14 observations
(each comparator, windows, converted units). Prints the median time to build the candidate table and to
evaluate and decide every status (the vectorised path the pool and the command use) as CPU time (this
process's, which other work on a shared machine does not inflate) and wall time with the load average,
and the time to explain the first 1,000 candidates' results in words.

    .venv/bin/python benchmarks/bench_eligibility.py [--candidates 100000] [--repeat 3]
"""

import argparse
import datetime as dt
import os
import statistics
import time

import numpy as np

from trialdesk.analytics import eligibility as engine
from trialdesk.interop.eligibility.candidates import CandidateRecord, CodedFact

AS_OF = dt.date(2026, 6, 30)
TARGET_SECONDS = 5.0
LOINC, ICD10, ATC = "http://loinc.org", "http://hl7.org/fhir/sid/icd-10", "http://www.whocc.no/atc"
# (LOINC code, unit in the rules, another unit the same value is sometimes recorded in, mean, sd)
LABS = [
    ("751-8", "10*9/L", "/uL", 3.5, 1.5),
    ("777-3", "10*9/L", "10*3/uL", 220, 70),
    ("718-7", "g/dL", "g/L", 12.5, 1.8),
    ("2160-0", "mg/dL", "umol/L", 1.0, 0.3),
    ("1975-2", "mg/dL", "umol/L", 0.8, 0.4),
    ("62238-1", "mL/min/{1.73_m2}", "mL/s", 80, 25),
    ("89247-1", "{score}", "{score}", 1, 1),
    ("4548-4", "%", "%", 6.5, 1.2),
]
CONDITIONS = ["C50", "C18", "E11", "I21", "I50", "B20", "B18.2", "G40", "J84", "N18"]
MEDICATIONS = ["L01", "L04", "H02AB", "A10A"]


def candidates(count: int, rng: np.random.Generator) -> list[CandidateRecord]:
    births = np.datetime64(AS_OF) - rng.integers(18 * 365, 90 * 365, count).astype("timedelta64[D]")
    made = []
    for index in range(count):
        labs = []
        for code, unit, other, mean, sd in LABS:
            value = max(rng.normal(mean, sd), 0.0)
            if other != unit and rng.random() < 0.33:
                value *= engine.conversion_factor(unit, other, code)
                unit = other
            on = AS_OF - dt.timedelta(days=int(rng.integers(0, 120)))
            labs.append(CodedFact(LOINC, code, on, float(value), unit))
        conditions = [
            CodedFact(
                ICD10, f"{c}.{rng.integers(0, 9)}", AS_OF - dt.timedelta(days=int(rng.integers(1, 3000)))
            )
            for c in rng.choice(CONDITIONS, rng.integers(0, 7), replace=False)
        ]
        medications = [
            CodedFact(ATC, f"{m}01", AS_OF - dt.timedelta(days=int(rng.integers(1, 400))))
            for m in rng.choice(MEDICATIONS, rng.integers(0, 4), replace=False)
        ]
        made.append(
            CandidateRecord(
                key=f"C{index:06d}",
                birth_date="" if rng.random() < 0.02 else str(births[index]),
                sex=str(rng.choice(["female", "male"])),
                conditions=conditions,
                observations=labs,
                medications=medications,
            )
        )
    return made


def rules() -> tuple[list[dict], list[bool]]:
    def observation(code, comparator, value, unit, within=None):
        rule = {"kind": "observation", "code": {"system": LOINC, "code": code}, "comparator": comparator}
        return rule | {"value": value, "unit": unit, "within_days": within}

    def presence(kind, system, code, present, within=None):
        return {
            "kind": kind,
            "code": {"system": system, "code": code},
            "present": present,
            "within_days": within,
        }

    made = [
        ({"kind": "age", "minimum": 18, "maximum": 75, "unit": "years"}, False),
        ({"kind": "sex", "sex": "female"}, False),
        *(
            (presence("condition", ICD10, c, True, 1000 if i % 3 == 0 else None), True)
            for i, c in enumerate(CONDITIONS)
        ),
        *((presence("medication", ATC, m, True, 90), True) for m in MEDICATIONS),
        (observation("751-8", ">=", 1.5, "10*9/L", 28), False),
        (observation("751-8", ">=", 1500, "/uL"), False),
        (observation("777-3", ">=", 100, "10*9/L"), False),
        (observation("718-7", ">=", 9, "g/dL", 28), False),
        (observation("718-7", ">", 90, "g/L"), False),
        (observation("2160-0", "<=", 1.5, "mg/dL"), False),
        (observation("2160-0", "<", 133, "umol/L"), False),
        (observation("1975-2", "<=", 1.5, "mg/dL"), False),
        (observation("62238-1", ">=", 50, "mL/min/{1.73_m2}"), False),
        (observation("62238-1", "<", 30, "mL/min/{1.73_m2}"), True),
        (observation("89247-1", "<=", 1, "{score}"), False),
        (observation("89247-1", "=", 4, "{score}"), True),
        (observation("4548-4", "<=", 10, "%"), False),
        (observation("4548-4", ">", 12, "%"), True),
    ]
    assert len(made) == 30
    return [rule for rule, _ in made], [exclusion for _, exclusion in made]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    pool = candidates(args.candidates, np.random.default_rng(2026))
    print(
        f"generated {len(pool):,} synthetic candidates in {time.perf_counter() - started:.1f} s "
        "(not timed below)"
    )
    criteria, exclusion = rules()

    builds, screens, cpus, walls = [], [], [], []
    for _ in range(args.repeat):
        cpu_started, started = time.process_time(), time.perf_counter()
        table = engine.build_table(pool)
        built = time.perf_counter()
        outcome = engine.evaluate(criteria, table, as_of=AS_OF)
        found = engine.statuses(outcome.results, exclusion=exclusion)
        finished, cpu_finished = time.perf_counter(), time.process_time()
        builds.append(built - started)
        screens.append(finished - built)
        walls.append(finished - started)
        cpus.append(cpu_finished - cpu_started)
    cpu, wall = statistics.median(cpus), statistics.median(walls)
    counts = {engine.STATUS_WORDS[code]: int((found == code).sum()) for code in engine.STATUS_WORDS}
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"screening {len(pool):,} candidates against {len(criteria)} rules: CPU {cpu:.2f} s, wall "
        f"{wall:.2f} s (wall: table {statistics.median(builds):.2f} s + evaluation and statuses "
        f"{statistics.median(screens):.2f} s; medians of {args.repeat}; load average {load} on "
        f"{os.cpu_count()} cores); target < {TARGET_SECONDS:.0f} s: CPU "
        f"{'met' if cpu < TARGET_SECONDS else 'MISSED'}, wall {'met' if wall < TARGET_SECONDS else 'MISSED'}"
    )
    print(f"  statuses: {counts}")
    started = time.perf_counter()
    for row in range(min(1000, len(pool))):
        for column, rule in enumerate(criteria):
            engine.because(rule, table, outcome, row, column)
    print(
        f"  explaining 1,000 candidates × {len(criteria)} rules in words: "
        f"{time.perf_counter() - started:.2f} s"
    )


if __name__ == "__main__":
    main()
