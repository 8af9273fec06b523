"""Backup and restore drills (issue 12 §3), on SQLite or, under scripts/with-postgres, PostgreSQL.

Real processes against installations of their own (a data directory each, and on PostgreSQL a fresh
database each): `trialdesk backup` runs while another process keeps writing, and the archive is restored
into an empty installation, which must verify (chain, anchors, records, integrity) and hold exactly the
backup's audit head. Archives that were tampered with, a target that is not empty and a missing key are
refused with the reason named and nothing put in place.

The same module is the writer: ``python -m tests.reliability.test_backup_restore write STOPFILE``.
"""

import base64
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from tests.reliability.test_concurrent_writers import ROOT, TRIALDESK

AUDIT_KEYS = "drill:" + base64.b64encode(b"backup-drill-audit-key-32-bytes!").decode()
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))


@pytest.fixture
def installation(tmp_path):
    """A factory of empty installations: an environment with its own data directory (and database)."""
    databases = []

    def make(name: str) -> dict:
        env = {
            **os.environ,
            "TRIALDESK_DATA_DIR": str(tmp_path / name),
            "DJANGO_SETTINGS_MODULE": "trialdesk.settings",
            "SECRET_KEY": "backup-drill-secret-key-not-for-production",
            "TRIALDESK_AUDIT_KEYS": AUDIT_KEYS,
            "DB_CONN_MAX_AGE": "0",
        }
        (tmp_path / name).mkdir()
        if ON_POSTGRES:
            env["DATABASE_URL"] = _create_database(f"trialdesk_{name}_{uuid.uuid4().hex[:8]}")
            databases.append(env["DATABASE_URL"])
        return env

    yield make
    for url in databases:
        _drop_database(url)


def _admin_url() -> str:
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"


def _create_database(name: str) -> str:
    import psycopg

    if not _pg_tools_present():
        pytest.skip("pg_dump/pg_restore not installed: the PostgreSQL backup drill needs them")
    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name


def _drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(_admin_url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def _pg_tools_present() -> bool:
    import shutil

    return all(
        shutil.which(tool) or list(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"))
        for tool in ("pg_dump", "pg_restore")
    )


def trialdesk(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(TRIALDESK), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def python(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def seeded(env) -> None:
    assert trialdesk(env, "migrate", "--no-input", "-v0").returncode == 0
    seed = python(env, "-m", "tests.browser.seed")
    assert seed.returncode == 0, seed.stderr


def audit_head(env, event_id: int | None = None) -> tuple[int, int, str]:
    """(number of events, id, hash) of the newest event, or of event `event_id`, read directly."""
    where = f"WHERE id = {int(event_id)}" if event_id else "ORDER BY id DESC LIMIT 1"
    count_sql, head_sql = (
        "SELECT count(*) FROM core_auditevent",
        f"SELECT id, hash FROM core_auditevent {where}",
    )
    if ON_POSTGRES:
        import psycopg

        with psycopg.connect(env["DATABASE_URL"]) as connection:
            return (connection.execute(count_sql).fetchone()[0], *connection.execute(head_sql).fetchone())
    with sqlite3.connect(Path(env["TRIALDESK_DATA_DIR"]) / "trialdesk.sqlite3", timeout=30) as connection:
        return (connection.execute(count_sql).fetchone()[0], *connection.execute(head_sql).fetchone())


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def add_document(env, content: bytes) -> Path:
    digest = hashlib.sha256(content).hexdigest()
    path = Path(env["TRIALDESK_DATA_DIR"]) / "documents" / digest[:2] / digest
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_backup_taken_during_writes_restores_to_a_verified_installation(installation, tmp_path):
    live = installation("live")
    seeded(live)
    document = add_document(live, b"%PDF-1.4 site delegation log\n")
    before, _, _ = audit_head(live)
    stop, archive, anchor_file = tmp_path / "stop", tmp_path / "backup.tar.gz", tmp_path / "anchors"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.test_backup_restore", "write", str(stop)],
        cwd=ROOT,
        env=live,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while audit_head(live)[0] < before + 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        backup = trialdesk(live, "backup", "-o", str(archive), "--anchors", str(anchor_file))
        time.sleep(0.5)
    finally:
        stop.touch()
        _, errors = writer.communicate(timeout=120)
    assert writer.returncode == 0, errors
    assert backup.returncode == 0, backup.stderr
    manifest = manifest_of(archive)
    after, _, _ = audit_head(live)
    assert before < manifest["audit"]["events"] < after, "the backup was not taken during the writes"

    restored = installation("restored")
    done = trialdesk(restored, "restore", str(archive), "--anchors", str(anchor_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"audit chain intact: {manifest['audit']['events']} events" in done.stdout
    assert done.stdout.strip().endswith("verified")
    # The restored trail is the live one up to the backup's head, and the live one still holds the anchor.
    head = manifest["audit"]["head_id"]
    assert audit_head(restored) == (manifest["audit"]["events"], head, manifest["audit"]["head_hash"])
    assert audit_head(live, head)[1:] == (head, manifest["audit"]["head_hash"])
    verify = trialdesk(live, "audit", "verify", "--anchors", str(anchor_file))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    copy = Path(restored["TRIALDESK_DATA_DIR"]) / document.relative_to(live["TRIALDESK_DATA_DIR"])
    assert copy.read_bytes() == document.read_bytes()
    if not ON_POSTGRES:
        assert_append_only(Path(restored["TRIALDESK_DATA_DIR"]) / "trialdesk.sqlite3")


def assert_append_only(database: Path) -> None:
    """After migrate (and a restore), SQLite still refuses UPDATE, DELETE and REPLACE of audit events."""
    with sqlite3.connect(database) as connection:
        for statement in (
            "UPDATE core_auditevent SET reason = 'x'",
            "DELETE FROM core_auditevent",
            "INSERT OR REPLACE INTO core_auditevent SELECT * FROM core_auditevent WHERE id = 1",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                connection.execute(statement)


def _rewritten(archive: Path, target: Path, change) -> Path:
    """A copy of the archive with `change(name, data) -> data` applied to each member."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as sink:
        for member in source:
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            sink.addfile(member, io.BytesIO(data))
    return target


def _flip_middle_byte(name: str, data: bytes) -> bytes:
    if not name.startswith("database/"):
        return data
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


def _more_rows(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["tables"]["core_auditevent"] += 1
    return json.dumps(manifest).encode()


def test_restore_refuses_what_it_cannot_trust_and_puts_nothing_in_place(installation, tmp_path):
    live = installation("source")
    seeded(live)
    archive = tmp_path / "backup.tar.gz"
    assert trialdesk(live, "backup", "-o", str(archive)).returncode == 0
    target = installation("target")
    folder = Path(target["TRIALDESK_DATA_DIR"])
    cases = [
        (
            _rewritten(archive, tmp_path / "altered.tar.gz", _flip_middle_byte),
            target,
            "checksum does not match",
        ),
        (
            _rewritten(archive, tmp_path / "forged.tar.gz", _more_rows),
            target,
            "manifest: signature does not match",
        ),
        (
            archive,
            {**target, "TRIALDESK_AUDIT_KEYS": "other:" + base64.b64encode(b"o" * 32).decode()},
            "manifest: signed with the audit key 'drill', which is not configured here",
        ),
    ]
    for source, env, reason in cases:
        refused = trialdesk(env, "restore", str(source))
        assert refused.returncode == 1 and reason in refused.stderr, refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == [], f"{source.name} left files behind"

    (folder / "notes.txt").write_text("someone's file")
    refused = trialdesk(target, "restore", str(archive))
    assert refused.returncode == 1
    assert (
        f"the data directory {folder} is not empty (notes.txt): restore only into an empty one"
        in refused.stderr
    )


# --- the writer side ---------------------------------------------------------------------------


def write_until(stop: Path) -> None:
    import datetime as dt

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from trialdesk.core.models import User
    from trialdesk.studies import services
    from trialdesk.studies.models import Milestone

    crm = User.objects.get(username="crm_anna")
    milestones = list(Milestone.objects.filter(study__code="ONC-A").order_by("id"))
    round_number = 0
    while not stop.exists():
        milestone = milestones[round_number % len(milestones)]
        forecast = dt.date(2027, 1, 1) + dt.timedelta(days=round_number)
        services.update_milestone(
            milestone=milestone, changes={"forecast_on": forecast}, by=crm, reason="drill"
        )
        round_number += 1


if __name__ == "__main__":
    write_until(Path(sys.argv[2]))
