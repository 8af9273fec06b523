"""The supply manager role (issue 17): one more choice for a role assignment."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_role_dpo"),
    ]

    operations = [
        migrations.AlterField(
            model_name="roleassignment",
            name="role",
            field=models.CharField(
                choices=[
                    ("administrator", "Administrator"),
                    ("crm", "Clinical Research Manager"),
                    ("monitor", "CRA / monitor"),
                    ("coordinator", "CRC / site staff"),
                    ("investigator", "Principal Investigator"),
                    ("safety", "Safety officer"),
                    ("finance", "Finance"),
                    ("sponsor_viewer", "Sponsor viewer"),
                    ("auditor", "Auditor / QA"),
                    ("dpo", "Data protection officer"),
                    ("supply_manager", "Supply manager"),
                ],
                max_length=32,
            ),
        ),
    ]
