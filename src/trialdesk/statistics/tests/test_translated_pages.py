"""The statistics and incidents pages in the reader's language (issue 20 §6): a person who chose German
reads the sample-size calculator and a study's incidents in German."""

from django.utils import translation


def test_a_german_reader_sees_the_calculator_and_the_incidents_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the pages activate German; the tests after these read English
        calculator = client.get("/statistics/sample-size/").content.decode()
        incidents = client.get(f"/studies/{world.study_a.pk}/incidents/").content.decode()
    assert "Fallzahl und Power" in calculator and "Berechnen" in calculator
    assert "Vorfall erfassen" in incidents and "Keine Vorfälle." in incidents
