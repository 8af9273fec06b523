"""Timing and query counting shared by the benchmarks: medians and 95th percentiles in milliseconds;
`report` hands a bench's headline figures to `make bench`'s summary table."""

import json
import os
import statistics
import time


def count_queries(connection, call) -> int:
    executed = []

    def counting(execute, *args):
        executed.append(1)
        return execute(*args)

    with connection.execute_wrapper(counting):
        call()
    return len(executed)


def timed(call, repeat: int) -> tuple[float, float]:
    call()  # warm-up
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    ordered = sorted(timings)
    return statistics.median(timings), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(
    benchmark: str,
    figure: str,
    value: float,
    *,
    unit: str = "",
    peer: str = "",
    ratio: float | None = None,
    target: str = "",
    met: bool | None = None,
) -> None:
    """Hand one headline figure to `make bench` (benchmarks/run_all.py), which sets
    TRIALDESK_BENCH_REPORT to a file and collects one JSON line per figure from it for its summary table.
    Run by hand, a bench prints only what it always has: nothing is written without that variable.

    `ratio` is the figure against its `peer` (× the peer's time, or × faster, as `target` says), and
    `met` whether the `target` (a few words, e.g. "≥ 50×", "< 1 s") is reached.
    """
    path = os.environ.get("TRIALDESK_BENCH_REPORT")
    if not path:
        return
    line = {
        "benchmark": benchmark,
        "figure": figure,
        "value": round(value, 4),
        "unit": unit,
        "peer": peer,
        "ratio": None if ratio is None else round(ratio, 2),
        "target": target,
        "met": met,
    }
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
