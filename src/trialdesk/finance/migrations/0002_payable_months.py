"""Payable lines summed by site and month for the finance overview (PayableMonth), filled from the lines."""

from collections import defaultdict

import django.db.models.deletion
from django.db import migrations, models


def fill_months(apps, schema_editor):
    from trialdesk.finance.services.payables import refresh_months

    lines, months = apps.get_model("finance", "PayableLine"), apps.get_model("finance", "PayableMonth")
    sites = defaultdict(set)
    for study_id, site_id in lines.objects.values_list("study_id", "study_site_id").distinct():
        sites[study_id].add(site_id)
    for study_id, site_ids in sites.items():
        refresh_months(study_id, sorted(site_ids), lines_model=lines, months_model=months)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("sites", "0002_initial"),
        ("studies", "0005_stored_health"),
    ]

    operations = [
        migrations.CreateModel(
            name="PayableMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "currency",
                    models.CharField(
                        help_text="ISO 4217 code, e.g. EUR.", max_length=3, verbose_name="currency"
                    ),
                ),
                ("kind", models.CharField(max_length=20)),
                ("month", models.DateField(help_text="First day of the month the lines were earned.")),
                ("due_month", models.DateField(help_text="First day of the month the lines fall due.")),
                ("earned", models.BigIntegerField(help_text="Fee plus overhead, in ten-thousandths.")),
                ("holdback", models.BigIntegerField(help_text="In ten-thousandths.")),
                ("payable", models.BigIntegerField(help_text="In ten-thousandths.")),
                (
                    "study_earned",
                    models.BigIntegerField(help_text="In ten-thousandths of the study currency."),
                ),
                (
                    "study_payable",
                    models.BigIntegerField(help_text="In ten-thousandths of the study currency."),
                ),
                ("positive_payable", models.BigIntegerField(help_text="In ten-thousandths.")),
                ("positive_lines", models.PositiveIntegerField()),
                ("paying_lines", models.PositiveIntegerField()),
                ("paying_days", models.BigIntegerField()),
            ],
        ),
        migrations.AlterField(
            model_name="payableline",
            name="study",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payable_lines",
                to="studies.study",
            ),
        ),
        migrations.AlterField(
            model_name="payableline",
            name="study_site",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payable_lines",
                to="sites.studysite",
            ),
        ),
        migrations.AddIndex(
            model_name="payableline",
            index=models.Index(fields=["study", "due_on"], name="finance_pay_study_i_1f8607_idx"),
        ),
        migrations.AddField(
            model_name="payablemonth",
            name="payment_run",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="finance.paymentrun",
            ),
        ),
        migrations.AddField(
            model_name="payablemonth",
            name="study",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="studies.study"
            ),
        ),
        migrations.AddField(
            model_name="payablemonth",
            name="study_site",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="sites.studysite"
            ),
        ),
        migrations.AddIndex(
            model_name="payablemonth",
            index=models.Index(fields=["study", "study_site"], name="finance_pay_study_i_64ff68_idx"),
        ),
        migrations.RunPython(fill_months, migrations.RunPython.noop),
    ]
