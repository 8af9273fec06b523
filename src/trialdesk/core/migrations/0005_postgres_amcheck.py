"""On PostgreSQL, install the amcheck extension where the server has it and the user may, so that
`trialdesk audit verify` can check the indexes and tables; elsewhere, and when refused, nothing happens
(the verify command then says "amcheck not available")."""

from django.db import DatabaseError, migrations, transaction


def install_amcheck(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'")
        if cursor.fetchone() is None:
            return
    try:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
    except DatabaseError:
        pass  # not a superuser (amcheck is not a trusted extension): verify says it is not available


class Migration(migrations.Migration):
    dependencies = [("core", "0004_auditevent_key_id")]
    operations = [migrations.RunPython(install_amcheck, migrations.RunPython.noop)]
