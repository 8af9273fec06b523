"""The documents pages in the reader's language (issue 20 §6): a CRM who chose German reads the
Documents tab and the filing form in German."""

from django.urls import reverse
from django.utils import translation


def test_a_german_reader_sees_the_documents_tab_and_filing_form_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the page activates German; the tests after this one read English
        tab = client.get(f"/studies/{world.study_a.pk}/?tab=documents").content.decode()
        form = client.get(reverse("document_file", kwargs={"study_id": world.study_a.pk})).content.decode()
    assert "Vollständigkeit" in tab and "Alle erwarteten Dokumente" in tab
    assert "Dokument ablegen" in form and "Das Datum, das das Dokument trägt." in form
