"""A study site's page in the reader's language (issue 20 §6): a CRM who chose German reads its header,
facts and Health panel in German."""

from django.urls import reverse
from django.utils import translation


def test_a_german_reader_sees_the_site_page_in_german(world, client_for):
    world.crm.language = "de"
    world.crm.save(update_fields=["language"])
    client = client_for(world.crm)
    with translation.override("en"):  # the page activates German; the tests after this one read English
        page = client.get(reverse("study_site_detail", kwargs={"study_site_id": world.site_a1.pk}))
    body = page.content.decode()
    assert "Prüfzentrum bearbeiten" in body and "Meilensteine dieses Prüfzentrums" in body
