"""The study page's Registry tab and the registry facts form."""

import datetime as dt

from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import selectors
from trialdesk.integrations.registry.services import import_record
from trialdesk.integrations.tests.test_ctgov_import import parsed, recruiting_record
from trialdesk.sites import services as site_services
from trialdesk.studies import services as study_services

TODAY = dt.date(2026, 1, 15)


def registered_study_a(world):
    """Study A with the registry record of NCT00763412, as if it were A's own."""
    study_services.update_study(
        study=world.study_a, changes={"nct_number": "NCT00763412"}, by=world.admin, reason="registered"
    )
    import_record(parsed(recruiting_record()), by=world.crm, today=TODAY)
    world.study_a.refresh_from_db()
    return world.study_a


def test_registry_tab_shows_differences_and_deadlines(world, client_for):
    study = registered_study_a(world)
    page = client_for(world.crm).get(f"/studies/{study.pk}/?tab=registry")
    assert page.status_code == 200
    body = page.content.decode()
    assert "NCT00763412" in body
    assert "42 CFR 11.24(a)" in body
    assert "Record registry facts" in body


def test_registry_tab_without_a_record_says_how_to_import(world, client_for):
    body = client_for(world.auditor).get(f"/studies/{world.study_a.pk}/?tab=registry").content.decode()
    assert "No ClinicalTrials.gov record has been imported" in body
    assert "Record registry facts" not in body


def test_site_differences_are_shown_only_for_sites_the_reader_sees(world):
    study = registered_study_a(world)
    for site in (world.site_a1, world.site_a2):  # activated sites that the registry does not list
        for step in ("under_feasibility", "selected", "start_up", "activated"):
            site = site_services.change_site_status(study_site=site, to=step, by=world.crm, reason="x")
    unlisted = {world.site_a1.pk, world.site_a2.pk}

    def unlisted_seen(user):
        check = selectors.check_study(study, today=TODAY, user=user)
        return {d.site_id for d in check.differences if d.registry == "not listed"} & unlisted

    assert unlisted_seen(world.crm) == unlisted
    assert unlisted_seen(world.monitor) == {world.site_a1.pk}


def test_registry_facts_form_records_the_facts(world, client_for):
    study = registered_study_a(world)
    client = client_for(world.crm)
    assert client.get(f"/studies/{study.pk}/registry/facts/").status_code == 200
    response = client.post(
        f"/studies/{study.pk}/registry/facts/",
        {
            "applicable_clinical_trial": "no",
            "delay_certified_on": "2030-02-01",
            "reason": "checked with regulatory",
        },
    )
    assert response.status_code == 302
    record = RegistryRecord.objects.get(study=study)
    assert (record.applicable_clinical_trial, record.delay_certified_on) == (False, dt.date(2030, 2, 1))


def test_registry_facts_form_needs_a_reason_and_a_manager(world, client_for):
    study = registered_study_a(world)
    response = client_for(world.crm).post(
        f"/studies/{study.pk}/registry/facts/", {"applicable_clinical_trial": "yes"}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert (
        client_for(world.auditor).post(f"/studies/{study.pk}/registry/facts/", {"reason": "x"}).status_code
        == 403
    )
    assert client_for(world.coordinator).get(f"/studies/{study.pk}/registry/facts/").status_code == 404


def test_demo_registry_record_disagrees_as_described(world):
    from tests.factories import make_site, make_study
    from trialdesk.integrations.registry.demo import load_registry_demo

    study = make_study("ONC-301", by=world.admin, nct_number="NCT09010301", planned_enrollment=600)
    site = make_site(study, "115", by=world.admin)
    for step in ("under_feasibility", "selected", "start_up", "activated", "enrolling", "on_hold"):
        site = site_services.change_site_status(study_site=site, to=step, by=world.admin, reason="demo")
    load_registry_demo(today=TODAY, users={"crm": world.admin})
    check = selectors.check_study(study, today=TODAY)
    topics = {(d.topic, d.registry, d.trialdesk) for d in check.differences}
    assert ("enrollment", "560 (estimated)", "600") in topics
    assert ("site status", "RECRUITING", "On hold") in topics
    assert any(row["status"] == "late" for row in check.deadlines)
    study.refresh_from_db()
    assert study.planned_enrollment == 600  # the demo import overwrote nothing
