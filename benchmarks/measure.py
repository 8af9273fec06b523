"""Timing and query counting shared by the benchmarks: medians and 95th percentiles in milliseconds."""

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
