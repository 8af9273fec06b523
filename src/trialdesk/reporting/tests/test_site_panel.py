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


def test_the_sites_pi_is_a_contact_linked_only_where_the_reader_may_open_their_page(world, client_for):
    from django.urls import reverse

    from trialdesk.sites import services

    services.update_study_site(
        study_site=world.site_a1,
        changes={"principal_investigator_person": world.monitor},
        by=world.crm,
        reason="PI on the study",
    )
    url = f"/study-sites/{world.site_a1.pk}/"
    person_url = reverse("person_detail", kwargs={"user_id": world.monitor.pk})
    crm = client_for(world.crm).get(url).context["panels"]
    (contacts,) = [found["contacts"] for _, found in crm if "contacts" in found]
    assert contacts[0]["id"] == world.monitor.pk and contacts[0]["roles"][0] == "Principal investigator"
    assert contacts[0]["url"] == person_url
    auditor = client_for(world.auditor).get(url)
    (contacts,) = [found["contacts"] for _, found in auditor.context["panels"] if "contacts" in found]
    assert contacts[0]["id"] == world.monitor.pk and contacts[0]["url"] is None
    assert f'href="{person_url}"' not in auditor.content.decode()
