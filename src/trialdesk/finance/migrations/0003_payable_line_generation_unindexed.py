"""Payable lines' generation no longer indexed: nothing looks lines up by it, and generation writes every line."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0002_payable_months"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="payableline",
            name="finance_pay_generat_4d9e5e_idx",
        ),
    ]
