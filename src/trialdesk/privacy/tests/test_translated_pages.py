"""The Data protection tab and the overview in the reader's language (issue 20 §6)."""

from django.utils import translation

from trialdesk.core.models import User


def test_a_data_protection_officer_reading_german_gets_the_privacy_pages_in_german(world, dpo, client_for):
    User.objects.filter(pk=dpo.pk).update(language="de")
    client = client_for(dpo)
    with translation.override("en"):  # the requests switch to German; English again after
        tab = client.get(f"/studies/{world.study_a.pk}/?tab=privacy").content.decode()
        assert "Verzeichnis von Verarbeitungstätigkeiten" in tab and "Übermittlungen zwischen Ländern" in tab
        overview = client.get("/privacy/").content.decode()
        assert "Ohne Garantie" in overview
