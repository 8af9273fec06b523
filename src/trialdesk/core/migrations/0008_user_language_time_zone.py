"""Each person's language and time zone as preferences (issue 20 §6)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_role_supply_manager"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[
                    ("en-gb", "English"),
                    ("de", "Deutsch"),
                    ("es", "Español"),
                    ("fr", "Français"),
                    ("ja", "日本語"),
                ],
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(blank=True, max_length=64, verbose_name="time zone (IANA)"),
        ),
    ]
