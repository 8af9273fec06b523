"""HTTP load test: signed-in reads under `trialdesk serve` with one and with two server processes on one
PostgreSQL, against the minimal Django view served the same way (issue 19 §1 and §2).

Needs PostgreSQL (DATABASE_URL; `scripts/with-postgres` gives a throwaway server) and locust (the `bench`
extra, locked in requirements-bench.lock; `--locust` names its executable when it lives in another
virtual environment). Fills the database with generate.py's portfolio unless --skip-generate, then for each
number of server processes starts `trialdesk serve --workers N` (DEBUG off, plain HTTP on loopback, the
connection pool from DB_POOL_MAX), waits for /healthz and runs locust headless twice, --users users for
--seconds each: the reads (benchmarks/locustfile.py: sign in once, then the portfolio page, the study
list API and a study page, without pause) and the minimal view (/healthz). Prints requests per second,
median and 95th percentile, errors, each figure's ratio to the minimal view, and the load average. Locust
runs on the same machine and takes CPU from the servers: the figures are for this machine as a whole.

    scripts/with-postgres .venv/bin/python benchmarks/locust_serve.py --users 50 --seconds 30
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
LABELS = {"reads": "authenticated reads", "minimal": "minimal view (/healthz)"}
BENCH_SECRET_KEY = "trialdesk-load-test-only-" + "x" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_environment(data_dir: str, pool_max: int) -> dict:
    environment = {
        **os.environ,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "TRIALDESK_HTTPS": "0",  # plain HTTP on loopback: no redirect, cookies without Secure
        "TRIALDESK_DATA_DIR": data_dir,
        "DB_POOL_MAX": str(pool_max),
    }
    environment.pop("DEBUG", None)
    return environment


def wait_until_answering(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"trialdesk serve exited with {server.returncode} (see its log)")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url}/healthz did not answer within {seconds:.0f} s")


def run_locust(locust: str, url: str, scenario: str, users: int, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as summary:
        path = summary.name
    environment = {**os.environ, "LOCUST_SCENARIO": scenario, "LOCUST_SUMMARY": path}
    command = [
        locust,
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--host",
        url,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    started_cpu = os.times()
    subprocess.run(command, env=environment, check=False, stdout=subprocess.DEVNULL)
    ended_cpu = os.times()
    found = json.loads(Path(path).read_text(encoding="utf-8"))
    Path(path).unlink()
    found["locust_cpu_s"] = round(
        (ended_cpu.children_user - started_cpu.children_user)
        + (ended_cpu.children_system - started_cpu.children_system),
        1,
    )
    return found


def serve_and_measure(args, workers: int) -> dict[str, dict]:
    data_dir = tempfile.mkdtemp(prefix="trialdesk-load-")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(data_dir) / "serve.log", "w", encoding="utf-8")  # noqa: SIM115 - closed below
    command = [sys.executable, "-m", "trialdesk.cli", "serve", "--workers", str(workers)]
    server = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        env=server_environment(data_dir, args.pool_max),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(url, server)
        results = {}
        for scenario in ("reads", "minimal"):
            results[scenario] = run_locust(args.locust, url, scenario, args.users, args.seconds)
            results[scenario]["load"] = os.getloadavg()[0]
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if args.keep_logs:
            print(f"server log: {Path(data_dir) / 'serve.log'}", file=sys.stderr)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent locust users (default 50)")
    parser.add_argument("--seconds", type=int, default=30, help="length of each run (default 30)")
    parser.add_argument("--workers", default="1,2", help="server processes to compare (default 1,2)")
    parser.add_argument("--pool-max", type=int, default=4, help="DB_POOL_MAX of each server process")
    parser.add_argument(
        "--locust", default=shutil.which("locust") or str(Path(sys.executable).with_name("locust"))
    )
    parser.add_argument("--skip-generate", action="store_true", help="the database already holds the data")
    parser.add_argument("--studies", type=int, default=1000)
    parser.add_argument("--sites-per-study", type=int, default=20)
    parser.add_argument("--keep-logs", action="store_true", help="keep each server's log")
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("Needs PostgreSQL: run under scripts/with-postgres (or set DATABASE_URL).", file=sys.stderr)
        return 2
    if not Path(args.locust).exists():
        print(
            f"No locust at {args.locust}: install requirements-bench.lock, or give --locust.", file=sys.stderr
        )
        return 2
    if not args.skip_generate:
        generate = [sys.executable, str(HERE / "generate.py"), "--studies", str(args.studies)]
        generate += ["--sites-per-study", str(args.sites_per_study)]
        subprocess.run(generate, env=server_environment(tempfile.gettempdir(), 0), check=True)

    load_before = os.getloadavg()[0]
    measured = {int(n): serve_and_measure(args, int(n)) for n in args.workers.split(",")}
    print(
        f"\n{args.users} users, {args.seconds} s a run, DB_POOL_MAX={args.pool_max}, {os.cpu_count()} cores; "
        f"load average before {load_before:.1f}"
    )
    header = (
        "processes",
        "scenario",
        "req/s",
        "p50 ms",
        "p95 ms",
        "errors",
        "× minimal req/s",
        "load",
        "locust CPU s",
    )
    print(" | ".join(header))
    for workers, results in measured.items():
        minimal = results["minimal"]["requests_per_second"] or float("nan")
        for scenario, found in results.items():
            ratio = found["requests_per_second"] / minimal
            print(
                f"{workers} | {LABELS[scenario]} | "
                f"{found['requests_per_second']:.1f} | {found['p50_ms']} | {found['p95_ms']} | "
                f"{found['errors']} of {found['requests']} | {ratio:.3f} | {found['load']:.1f} | "
                f"{found['locust_cpu_s']}"
            )
    if len(measured) > 1:
        first, *_, last = measured
        gain = measured[last]["reads"]["requests_per_second"] / (
            measured[first]["reads"]["requests_per_second"] or float("nan")
        )
        print(f"reads: {last} processes serve {gain:.2f}× the requests per second of {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
