"""The study site's principal investigator is a person: picked on the site's form, named by id in the API
beside the name (kept), and linked from existing names by the data migration where exactly one person
matches."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import reverse

from trialdesk.core.models import AuditEvent
from trialdesk.sites import pages, selectors, services
from trialdesk.sites.models import StudySite

JSON = "application/json"
migration = importlib.import_module("trialdesk.sites.migrations.0004_link_principal_investigators")
PEOPLE = [(1, "Marc", "Dubois"), (2, "Anna", "Weiss"), (3, "Anna", "Weiss"), (4, "Jürgen", "Müller")]


@pytest.mark.parametrize(
    "name, on_study, found",
    [
        ("Marc Dubois", set(), 1),
        ("Dr. Marc Dubois", set(), 1),
        ("DUBOIS, Marc, MD PhD", set(), 1),
        ("Prof. Dr. Juergen Mueller", set(), None),  # spelt otherwise: left for the CRM to pick
        ("Jurgen Muller", set(), 4),
        ("Anna Weiss", set(), None),  # two people of that name
        ("Anna Weiss", {3}, 3),  # one of them works on the study
        ("Dr PI 101", set(), None),
        ("", set(), None),
    ],
)
def test_a_name_is_linked_only_to_the_one_person_it_names(name, on_study, found):
    assert migration.match(name, PEOPLE, on_study) == found


def test_the_migration_links_a_matching_name_and_audits_it(world):
    world.monitor.first_name, world.monitor.last_name = "Mia", "Moreau"
    world.monitor.save()
    StudySite.objects.filter(pk=world.site_a1.pk).update(principal_investigator="Dr. Mia Moreau")
    migration.forwards(apps, None)
    linked = StudySite.objects.get(pk=world.site_a1.pk)
    assert linked.principal_investigator_person == world.monitor
    assert StudySite.objects.get(pk=world.site_a2.pk).principal_investigator_person is None
    assert AuditEvent.objects.filter(action="studysite.migrated", study_site_id=world.site_a1.pk).count() == 1


def test_the_api_names_the_pi_by_id_beside_the_name(world, client_for):
    crm = client_for(world.crm)
    url = f"/api/v1/study-sites/{world.site_a1.pk}"
    before = crm.get(url).json()
    assert (before["principal_investigator"], before["principal_investigator_id"]) == ("Dr PI 101", None)
    changed = crm.patch(
        url,
        {
            "principal_investigator_id": world.monitor.pk,
            "reason": "PI on the study",
            "version": before["version"],
        },
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["principal_investigator_id"] == world.monitor.pk
    assert body["principal_investigator"] == world.monitor.get_full_name()
    refused = crm.patch(
        url,
        {
            "principal_investigator_id": world.outsider.pk,
            "reason": "not on the study",
            "version": body["version"],
        },
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["principal_investigator_id"]
    assert StudySite.objects.get(pk=world.site_a1.pk).principal_investigator_person == world.monitor


def test_the_form_picks_the_pi_from_the_studys_people_and_the_page_links_to_them(world, client_for):
    crm = client_for(world.crm)
    site = world.site_a1
    edit = reverse("study_site_edit", kwargs={"study_site_id": site.pk})
    form = crm.get(edit).content.decode()
    assert 'name="principal_investigator_person"' in form and "data-search" in form
    assert f'value="{world.monitor.pk}"' in form and f'value="{world.outsider.pk}"' not in form
    posted = {
        "institution": site.institution_id,
        "site_number": site.site_number,
        "principal_investigator_person": world.monitor.pk,
        "principal_investigator": "",
        "target_enrollment": site.target_enrollment,
        "version": site.version,
        "reason": "PI is on the study",
    }
    assert crm.post(edit, posted).status_code == 302
    site.refresh_from_db()
    assert (site.principal_investigator_person, site.principal_investigator) == (
        world.monitor,
        world.monitor.get_full_name(),
    )
    page = crm.get(reverse("study_site_detail", kwargs={"study_site_id": site.pk})).content.decode()
    assert reverse("person_detail", kwargs={"user_id": world.monitor.pk}) in page


def test_a_deactivated_person_cannot_be_made_pi(world):
    world.monitor.is_active = False
    world.monitor.save()
    with pytest.raises(Exception, match="deactivated"):
        services.update_study_site(
            study_site=world.site_a1,
            changes={"principal_investigator_person": world.monitor},
            by=world.crm,
            reason="try",
        )


def test_the_pis_name_links_only_for_readers_who_may_open_their_page(world, client_for):
    """Site staff and study auditors may not open the People pages: they read the PI's name as text, not a
    link that answers 404; the study's CRM and the PI themself get the link (issue 16 §4)."""
    site = services.update_study_site(
        study_site=world.site_a1,
        changes={"principal_investigator_person": world.monitor},
        by=world.crm,
        reason="PI on the study",
    )
    page_url = reverse("study_site_detail", kwargs={"study_site_id": site.pk})
    person_url = reverse("person_detail", kwargs={"user_id": world.monitor.pk})
    name = world.monitor.get_full_name() or world.monitor.username
    for reader, linked in ((world.crm, True), (world.monitor, True), (world.auditor, False)):
        page = client_for(reader).get(page_url).content.decode()
        assert name in page, reader
        assert (person_url in page) is linked, reader
        assert (client_for(reader).get(person_url).status_code == 200) is linked, reader
        tab = pages.sites_section(SimpleNamespace(user=reader), world.study_a)
        assert (world.monitor.pk in tab["openable_people"]) is linked, reader


def test_the_openable_people_follow_the_people_pages_rule(world):
    from trialdesk.people.directory.selectors import people_for

    everyone = [world.admin, world.crm, world.coordinator, world.monitor, world.auditor, world.outsider]
    ids = [person.pk for person in everyone]
    for viewer in everyone:
        expected = set(people_for(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        assert selectors.people_openable_by(viewer, ids) == expected, viewer


def test_history_names_the_pi_not_their_id(world):
    """The audit event keys the change by the field's name, so History names the person (issue 16 §4)."""
    from trialdesk.core.audit.display import readable_events

    world.monitor.first_name, world.monitor.last_name = "Mia", "Moreau"
    world.monitor.save()
    services.update_study_site(
        study_site=world.site_a1,
        changes={"principal_investigator_person": world.monitor},
        by=world.crm,
        reason="PI on the study",
    )
    event = AuditEvent.objects.filter(object_type="sites.studysite", object_id=str(world.site_a1.pk)).latest(
        "id"
    )
    assert "principal_investigator_person" in event.changes
    (row,) = readable_events([event], world.crm)
    changes = {change.label: (change.old, change.new) for change in row.changes}
    assert changes["Principal investigator (person)"] == ("—", "Mia Moreau")
    assert changes["Principal investigator"][1] == "Mia Moreau"
