"""Load the regulatory authorities shipped in regulatory/countries/authorities.json."""

from django.db import migrations


def load_authorities(apps, schema_editor):
    from trialdesk.regulatory.country_rules import load_authorities as load

    load(apps.get_model("regulatory", "RegulatoryAuthority"))


class Migration(migrations.Migration):
    dependencies = [("regulatory", "0001_initial")]

    operations = [migrations.RunPython(load_authorities, migrations.RunPython.noop)]
