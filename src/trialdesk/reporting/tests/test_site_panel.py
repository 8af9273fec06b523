"""The site page's contacts and enrollment panel: the people on the site and the study's CRM, each once
with their roles in words; enrollment counted for a sponsor viewer too (an aggregate), never a name."""

from tests.factories import make_participant


def test_site_page_lists_contacts_and_enrollment(world, client_for):
    make_participant(world.site_a1, "101-321", by=world.admin)
    page = client_for(world.crm).get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert "Contacts and enrollment" in page
    assert "Crm Anna" in page and "Clinical Research Manager" in page
    assert "Monitor Mia" in page and "CRA / monitor" in page
    assert "Coordinator Carl" not in page  # on another study's site
    assert "Enrolled</dt><dd>1 of" in page
    sponsor = client_for(world.sponsor_viewer).get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert "Enrolled</dt><dd>1 of" in sponsor and "101-321" not in sponsor
