"""The study site's principal investigator as a person (a user), beside the name as written."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sites", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="studysite",
            name="principal_investigator_person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sites_led",
                to=settings.AUTH_USER_MODEL,
                verbose_name="principal investigator (person)",
            ),
        ),
    ]
