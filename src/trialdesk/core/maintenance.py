"""Installation upkeep that must step outside the ordinary rules, each case named and justified."""

import importlib

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

# The migration that made the audit table append-only; its statements are reused, not copied.
_APPEND_ONLY = importlib.import_module("trialdesk.core.migrations.0003_audit_append_only")
AUDIT_TABLE = "core_auditevent"
# Sessions belong to the users being wiped; leaving them would keep dead logins around.
EXTRA_TABLES = ("django_session",)


def trialdesk_tables() -> list[str]:
    """Every table holding Trialdesk data: the models of the trialdesk.* apps, with their link tables."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("trialdesk.") and model._meta.managed
    }
    tables.update(EXTRA_TABLES)
    existing = set(connection.introspection.table_names())
    return sorted(tables & existing)


def wipe_all_data_for_demo_reset() -> list[str]:
    """Empty every Trialdesk table, the audit trail included, so the demo portfolio can be reloaded.

    This is the one sanctioned exception to the append-only audit table, reached only through
    `trialdesk demo --reset`. In one transaction the triggers that refuse changes to audit rows are
    lifted, every table is emptied (identifiers restart at 1, so the new chain starts at its genesis)
    and the triggers are put back exactly as the migration wrote them. Returns the tables emptied.
    """
    tables = trialdesk_tables()
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE refuses tables with foreign-key checks still queued in this transaction.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER USER")
            for statement in statements:
                cursor.execute(statement)
            cursor.execute(f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in _APPEND_ONLY.SQLITE_BACKWARD:
                cursor.execute(statement)
            for statement in statements:
                cursor.execute(statement)
            for statement in _APPEND_ONLY.SQLITE_FORWARD:
                cursor.execute(statement)
    return tables
