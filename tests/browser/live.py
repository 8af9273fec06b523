"""A real Trialdesk server for browser tests: a subprocess on a temporary SQLite database, seeded first.

pytest-django's live_server would flush tables between tests, which the audit trail's append-only
triggers rightly refuse; a throwaway database per test module avoids that.
"""

import atexit
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct-horse-battery"  # tests.factories.PASSWORD, the seeded people's password


@dataclass(frozen=True)
class LiveServer:
    """A running server: where it answers, its data folder, and what the seeding steps printed."""

    base_url: str
    data_dir: Path
    seed_output: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        time.sleep(0.3)
    raise TimeoutError(f"the server did not answer {url} within {timeout} s")


_migrated: list[Path] = []


def _copy_migrated_database(data_dir: Path, env: dict[str, str]) -> None:
    """Put a freshly migrated database in `data_dir`: migrated once per test run (about 20 s of CPU),
    then copied for every server, since each module's server needs a database of its own."""
    if not _migrated:
        template = Path(tempfile.mkdtemp(prefix="trialdesk-migrated-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        migrate = [BIN / "trialdesk", "migrate", "--no-input", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env={**env, "TRIALDESK_DATA_DIR": str(template)}, check=True)
        _migrated.append(template)
    for database in _migrated[0].iterdir():
        if database.is_file():
            shutil.copy2(database, data_dir / database.name)


@contextlib.contextmanager
def live_server(data_dir: Path, seeds: Sequence[Sequence[str]]) -> Iterator[LiveServer]:
    """Migrate a fresh database in `data_dir`, run each seed (python arguments, e.g. ["-m", "module"]),
    then serve until the block ends."""
    env = {**os.environ, "TRIALDESK_DATA_DIR": str(data_dir), "DEBUG": "1"}
    env.pop("DATABASE_URL", None)  # always the temporary SQLite database
    env["DJANGO_SETTINGS_MODULE"] = "trialdesk.settings"
    _copy_migrated_database(data_dir, env)
    printed = [
        subprocess.run(
            [BIN / "python", *seed], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout
        for seed in seeds
    ]
    port = free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        [BIN / "trialdesk", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base_url}/login/", process)
        yield LiveServer(base_url, data_dir, "".join(printed))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
