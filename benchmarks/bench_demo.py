"""How long `trialdesk demo` takes to load the demo portfolio into a fresh SQLite database.

python benchmarks/bench_demo.py [--repeat 3]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    trialdesk = Path(sys.executable).with_name("trialdesk")
    timings = []
    for _ in range(arguments.repeat):
        with tempfile.TemporaryDirectory() as data_dir:
            environment = {**os.environ, "TRIALDESK_DATA_DIR": data_dir}
            subprocess.run([trialdesk, "migrate", "-v", "0"], env=environment, check=True)
            started = time.monotonic()
            subprocess.run([trialdesk, "demo"], env=environment, check=True, stdout=subprocess.DEVNULL)
            timings.append(time.monotonic() - started)
    median, fastest = statistics.median(timings), min(timings)
    print(f"demo load: median {median:.1f} s over {len(timings)} runs (fastest {fastest:.1f} s)")


if __name__ == "__main__":
    main()
