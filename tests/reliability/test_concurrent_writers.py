"""Several processes writing at once leave an intact, gap-free audit chain (SQLite file or PostgreSQL).

Runs real processes against a database of its own, since test transactions cannot show concurrency and
the append-only triggers forbid flushing a shared test database.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TRIALDESK = ROOT / ".venv" / "bin" / "trialdesk"
WRITERS, ROUNDS = 4, 15


@pytest.fixture
def database_env(tmp_path):
    env = {**os.environ, "TRIALDESK_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "trialdesk.settings"}
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield env
        return
    import psycopg

    name = f"trialdesk_reliability_{uuid.uuid4().hex[:8]}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + name
    env["DB_CONN_MAX_AGE"] = "0"
    yield env
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env, *args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **kwargs)


def test_concurrent_writers_keep_the_audit_chain_intact(database_env):
    assert run(database_env, str(TRIALDESK), "migrate", "--no-input", "-v0").returncode == 0
    seeded = run(database_env, sys.executable, "-m", "tests.browser.seed")
    assert seeded.returncode == 0, seeded.stderr
    before = run(database_env, str(TRIALDESK), "audit", "verify")
    events_before = int(before.stdout.split(":")[1].split()[0])

    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.writer", str(n), str(ROUNDS)],
            cwd=ROOT,
            env=database_env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(WRITERS)
    ]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors

    verify = run(database_env, str(TRIALDESK), "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert verify.stdout.splitlines()[0] == f"audit chain intact: {events_before + WRITERS * ROUNDS} events"
