"""The database's own consistency check, as `trialdesk audit verify` and `trialdesk restore` run it:
SQLite's `PRAGMA integrity_check` and `foreign_key_check`; PostgreSQL's amcheck (B-tree indexes and, where
the extension has it, table pages) when the extension is installed (core migration 0005)."""

from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

MAX_LINES = 20


@dataclass
class IntegrityReport:
    method: str  # what ran, in words
    available: bool = True
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database() -> IntegrityReport:
    if connection.vendor == "sqlite":
        return _sqlite()
    if connection.vendor == "postgresql":
        return _postgresql()
    return IntegrityReport(f"no integrity check for {connection.vendor}", available=False)


def _sqlite() -> IntegrityReport:
    report = IntegrityReport("PRAGMA integrity_check, PRAGMA foreign_key_check")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        lines = [row[0] for row in cursor.fetchall()]
        if lines != ["ok"]:
            report.problems += [f"database integrity check failed: {line}" for line in lines[:MAX_LINES]]
        cursor.execute("PRAGMA foreign_key_check")
        for table, rowid, parent, _ in cursor.fetchall()[:MAX_LINES]:
            report.problems.append(
                f"database integrity check failed: {table} row {rowid} refers to a missing {parent} row"
            )
    return report


def _postgresql() -> IntegrityReport:
    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'amcheck'")
        installed = cursor.fetchone()
        if installed is None:
            return IntegrityReport("amcheck not available (the extension is not installed)", available=False)
        cursor.execute("SELECT 1 FROM pg_proc WHERE proname = 'verify_heapam'")
        heap = cursor.fetchone() is not None
        cursor.execute(
            """SELECT c.oid::regclass::text FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE a.amname = 'btree' AND n.nspname = current_schema() AND c.relpersistence != 't'
               ORDER BY 1"""
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1"""
        )
        tables = [row[0] for row in cursor.fetchall()] if heap else []
    method = f"amcheck {installed[0]}: bt_index_check on {len(indexes)} indexes"
    if heap:
        method += f", verify_heapam on {len(tables)} tables"
    report = IntegrityReport(method)
    for index in indexes:
        _run(report, "SELECT bt_index_check(%s::regclass)", index, f"index {index}")
    for table in tables:
        _run(report, "SELECT blkno, offnum, msg FROM verify_heapam(%s::regclass)", table, f"table {table}")
    return report


def _run(report: IntegrityReport, sql: str, name: str, what: str) -> None:
    try:  # in a savepoint, so that one failure does not abort the checks after it
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [name])
            rows = cursor.fetchall() if "verify_heapam" in sql else []
    except DatabaseError as error:
        report.problems.append(f"database integrity check failed: {what}: {str(error).strip()}")
        return
    for block, offset, message in rows[:MAX_LINES]:
        report.problems.append(
            f"database integrity check failed: {what} block {block} item {offset}: {message}"
        )
