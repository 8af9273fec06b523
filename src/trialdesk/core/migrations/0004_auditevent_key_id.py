"""Audit events record the key that signed them, and inserting over an existing event is refused.

`key_id` is added with a plain ADD COLUMN (Django would rebuild the table on SQLite for a NOT NULL column
with a default, and a rebuilt table loses its triggers). The append-only triggers of 0003 are asserted
again. On SQLite a BEFORE INSERT trigger refuses a row whose id or hash exists already: `INSERT OR
REPLACE` deletes the old row without firing its DELETE trigger. PostgreSQL has no REPLACE: a plain
INSERT of an existing id or hash breaks the unique constraints, `INSERT … ON CONFLICT DO UPDATE` and
MERGE fire the UPDATE/DELETE trigger, so no insert trigger is needed (and none slows every append).
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditevent_no_replace BEFORE INSERT ON core_auditevent
       WHEN EXISTS (SELECT 1 FROM core_auditevent WHERE id = NEW.id)
         OR EXISTS (SELECT 1 FROM core_auditevent WHERE hash = NEW.hash)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only: an existing event cannot be inserted again'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS core_auditevent_no_replace;"]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION USING MESSAGE = 'audit events are append-only: ' || TG_OP || ' refused'; END;
       $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;",
    """CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();""",
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent;",
    """CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_refuse_change();""",
]
POSTGRES_BACKWARD: list[str] = []


def add_key_id(apps, schema_editor):
    schema_editor.execute("ALTER TABLE core_auditevent ADD COLUMN key_id varchar(32) NOT NULL DEFAULT ''")


def drop_key_id(apps, schema_editor):
    schema_editor.execute("ALTER TABLE core_auditevent DROP COLUMN key_id")


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="auditevent",
                    name="key_id",
                    field=models.CharField(blank=True, default="", max_length=32),
                )
            ],
            database_operations=[migrations.RunPython(add_key_id, drop_key_id)],
        ),
        migrations.RunPython(forward, backward),
    ]
