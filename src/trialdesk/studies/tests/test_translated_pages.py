"""The portfolio and a study's Randomization and Eligibility tabs in the reader's language (issue 20 §6):
a person who chose German reads German headings and run-time labels."""

from django.urls import reverse
from django.utils import translation


def test_a_german_reader_sees_the_portfolio_and_study_tabs_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    study_page = reverse("study_detail", kwargs={"study_id": world.study_a.pk})
    with translation.override("en"):  # the pages activate German; the tests after these read English
        portfolio = client.get(reverse("portfolio")).content.decode()
        randomization = client.get(f"{study_page}?tab=randomization").content.decode()
        eligibility = client.get(f"{study_page}?tab=eligibility").content.decode()
    assert "Gespeicherte Ansichten" in portfolio and "Nächster Meilenstein" in portfolio
    assert "Randomisierungsschema" in randomization
    assert "Vorscreening nach Prüfzentrum" in eligibility
