"""A consistent copy of the database taken while others write, and putting it back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in one step under a read
transaction, so writers carry on (WAL) and the copy is one committed state; a plain file copy taken
during writes can be corrupt. PostgreSQL: `pg_dump --format=custom` under a snapshot exported by the
transaction that also counts the rows and reads the audit head, so the manifest describes the dump.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from trialdesk.core.audit import GENESIS_HASH

AUDIT_TABLE = "core_auditevent"


class BackupProblem(Exception):
    """The database could not be copied or put back; the message says why, in one line."""


@dataclass(frozen=True)
class Snapshot:
    vendor: str
    path: Path  # the copy, in a temporary folder
    tables: dict[str, int]
    head_id: int
    head_hash: str
    events: int


def snapshot(folder: Path) -> Snapshot:
    if connection.vendor == "sqlite":
        return _sqlite_snapshot(folder)
    if connection.vendor == "postgresql":
        return _postgres_snapshot(folder)
    raise BackupProblem(f"backups of a {connection.vendor} database are not supported")


def sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _sqlite_snapshot(folder: Path) -> Snapshot:
    if not sqlite_path().is_file():  # connecting would create an empty one
        raise BackupProblem(f"no database at {sqlite_path()}")
    target = folder / "trialdesk.sqlite3"
    source = sqlite3.connect(sqlite_path(), timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one consistent state, writers not blocked (WAL)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        tables, head = sqlite_facts(copy)
    except sqlite3.Error as error:
        raise BackupProblem(f"{sqlite_path()}: {error}") from None
    finally:
        copy.close()
        source.close()
    return Snapshot("sqlite", target, tables, *head)


def sqlite_facts(db: sqlite3.Connection) -> tuple[dict[str, int], tuple[int, str, int]]:
    """Rows per table, and the audit head (id, hash, number of events), of an SQLite file."""
    names = [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables = {name: db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}
    head = db.execute(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1").fetchone()
    return tables, (*(head or (0, GENESIS_HASH)), tables.get(AUDIT_TABLE, 0))


def database_facts() -> tuple[dict[str, int], tuple[int, str, int]]:
    """The same facts, read through Django's connection (after a restore)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = {}
        for name in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT count(*) FROM {quote(name)}")
            tables[name] = cursor.fetchone()[0]
        cursor.execute(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1")
        head = cursor.fetchone()
    return tables, (*(head or (0, GENESIS_HASH)), tables.get(AUDIT_TABLE, 0))


def _postgres_snapshot(folder: Path) -> Snapshot:
    target = folder / "trialdesk.pgdump"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        exported = cursor.fetchone()[0]
        tables, head = database_facts()
        _run(pg_tool("pg_dump"), "--format=custom", f"--snapshot={exported}", f"--file={target}")
    return Snapshot("postgresql", target, tables, *head)


def restore_postgres(dump: Path) -> None:
    """pg_restore into the configured (empty) database. The amcheck extension is left out of the list
    (creating it needs a superuser, which the restoring user need not be) and installed afterwards where
    allowed, as migration core/0005 does."""
    program = pg_tool("pg_restore")
    contents = _run(program, "--list", str(dump))
    wanted = dump.with_suffix(".list")
    wanted.write_text("".join(line for line in contents.splitlines(keepends=True) if " amcheck" not in line))
    _run(
        program,
        "--exit-on-error",
        "--single-transaction",
        "--no-owner",
        "--no-privileges",
        f"--use-list={wanted}",
        f"--dbname={settings.DATABASES['default']['NAME']}",
        str(dump),
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
    except DatabaseError:
        pass  # `audit verify` then says "amcheck not available"


def pg_tool(name: str) -> str:
    """The PostgreSQL client program for the server's major version, else the one on PATH."""
    major = connection.pg_version // 10000 if connection.vendor == "postgresql" else 0
    own = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(own) if own.exists() else shutil.which(name)
    if not found:
        raise BackupProblem(
            f"{name} not found: install the PostgreSQL client programs (version {major} or newer)"
        )
    return found


def _run(program: str, *args: str) -> str:
    database = settings.DATABASES["default"]
    variables = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": database.get("OPTIONS", {}).get("sslmode"),
    }
    env = {**os.environ, **{k: str(v) for k, v in variables.items() if v}}
    done = subprocess.run([program, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupProblem(f"{Path(program).name} failed (exit {done.returncode}): {detail}")
    return done.stdout


def database_is_empty() -> str | None:
    """Why the configured database is not empty, or None."""
    if connection.vendor == "sqlite":
        path = sqlite_path()
        return f"the database file {path} exists" if path.exists() else None
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    if names:
        return f"the database {settings.DATABASES['default']['NAME']} already holds {len(names)} tables"
    return None
