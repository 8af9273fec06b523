"""The registry check: differences between ClinicalTrials.gov and Trialdesk, deadlines, API and command."""

import copy
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import override_site_gates
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry import selectors
from trialdesk.integrations.registry.services import import_record, record_registry_facts
from trialdesk.integrations.tests.test_ctgov_import import load, parsed, recruiting_record
from trialdesk.interop import ctgov
from trialdesk.sites import services as site_services
from trialdesk.sites.models import StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Study

TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def imported(world):
    """NCT00763412 imported as a recruiting study by the CRM of study A, who now manages it too."""
    import_record(parsed(recruiting_record()), by=world.crm, today=TODAY)
    study = Study.objects.get(code="NCT00763412")
    # Its sites' start-up and close-out are not what is tested: signed off, and imported again, the
    # site walks on from start-up to the registry's status.
    override_site_gates(study, by=world.crm)
    import_record(parsed(recruiting_record()), by=world.crm, today=TODAY)
    return study


def test_freshly_imported_study_has_no_differences(imported):
    assert selectors.check_study(imported, today=TODAY).differences == ()


def test_changes_in_trialdesk_show_as_differences(world, imported):
    study_services.update_study(
        study=imported,
        changes={"status": "active_not_recruiting", "planned_enrollment": 36},
        by=world.crm,
        reason="closed",
    )
    site = StudySite.objects.get(study=imported)
    site_services.change_site_status(study_site=site, to="enrollment_closed", by=world.crm, reason="closed")
    imported.refresh_from_db()
    found = {
        (d.topic, d.registry, d.trialdesk) for d in selectors.check_study(imported, today=TODAY).differences
    }
    assert ("status", "RECRUITING", "Active, not recruiting") in found
    assert ("enrollment", "40 (estimated)", "36") in found
    assert ("site status", "RECRUITING", "Enrollment closed") in found


def test_a_site_missing_on_either_side_is_a_difference(world, imported):
    extra = site_services.create_study_site(
        study=imported, institution=world.site_a1.institution, site_number="900", by=world.crm
    )
    for step in ("under_feasibility", "selected", "start_up", "activated"):
        extra = site_services.change_site_status(study_site=extra, to=step, by=world.crm, reason="x")
    differences = selectors.check_study(imported, today=TODAY).differences
    assert any(
        d.topic == "sites" and d.registry == "not listed" and d.site_id == extra.pk for d in differences
    )


def test_moved_milestone_date_is_a_difference(world, imported):
    milestone = imported.milestones.get(name="Primary completion")
    study_services.update_milestone(
        milestone=milestone, changes={"forecast_on": dt.date(2030, 9, 30)}, by=world.crm, reason="slower"
    )
    (difference,) = selectors.check_study(imported, today=TODAY).differences
    assert (difference.item, difference.registry, difference.trialdesk) == (
        "Primary completion",
        "2030-01-31 (estimated)",
        "2030-09-30",
    )


def test_completed_applicable_trial_results_deadline_and_delay_certification(world):
    record = load("NCT03064438")  # Phase 2, FDA-regulated, US sites, primary completion 2018, results 2021
    import_record(parsed(record), by=world.crm, today=TODAY)
    study = Study.objects.get(code="NCT03064438")
    rows = {row["rule"]: row for row in selectors.check_study(study, today=TODAY).deadlines}
    results = rows["42 CFR 11.44(a)"]
    assert results["status"] == "done"
    assert results["days_late"] > 0  # the real record's results came late
    record_registry_facts(
        study=study, changes={"delay_certified_on": dt.date(2019, 1, 10)}, by=world.crm, reason="certified"
    )
    rows = {row["rule"]: row for row in selectors.check_study(study, today=TODAY).deadlines}
    assert rows["42 CFR 11.44(b)"]["due_on"] == dt.date(2021, 1, 10)


def test_crm_may_declare_a_trial_not_applicable(world):
    import_record(parsed(load("NCT03064438")), by=world.crm, today=TODAY)
    study = Study.objects.get(code="NCT03064438")
    record_registry_facts(
        study=study, changes={"applicable_clinical_trial": False}, by=world.crm, reason="not ACT"
    )
    check = selectors.check_study(study, today=TODAY)
    assert check.applicable is False
    assert not [row for row in check.deadlines if row["recipient"] == "ClinicalTrials.gov"]


def test_status_change_in_trialdesk_opens_an_update_deadline(world, imported, clock):
    study_services.update_study(study=imported, changes={"status": "suspended"}, by=world.crm, reason="hold")
    imported.refresh_from_db()
    today = clock.today()  # the status changed today, by the audit trail's clock (UTC)
    rows = {row["rule"]: row for row in selectors.check_study(imported, today=today).deadlines}
    update = rows["42 CFR 11.64(a)(1)(ii)"]
    assert update["due_on"] == today + dt.timedelta(days=30)
    assert update["status"] == "open"


def test_first_participant_enrolled_comes_from_the_participants(world, imported):
    from tests.factories import make_participant

    site = StudySite.objects.get(study=imported)
    participant = make_participant(site, "001-001", by=world.admin)
    evidence = selectors.evidence_for([imported.pk])[imported.pk]
    first = selectors.first_enrolled_on(RegistryRecord.objects.get(study=imported), evidence)
    assert first == participant.enrolled_on


def test_registry_deadlines_reads_a_fixed_number_of_queries(world, imported, django_assert_max_num_queries):
    import_record(parsed(load("NCT02552212")), by=world.crm, today=TODAY)
    import_record(parsed(load("NCT03064438")), by=world.crm, today=TODAY)
    with django_assert_max_num_queries(8):
        rows = selectors.registry_deadlines(world.crm)
    assert {row["study_code"] for row in rows} == {"NCT00763412", "NCT02552212", "NCT03064438"}


def test_registry_deadlines_contract_is_scoped(world, imported):
    rows = selectors.registry_deadlines(world.crm)
    assert rows and {row["study_code"] for row in rows} == {"NCT00763412"}
    assert set(rows[0]) == {
        "study_id",
        "study_code",
        "recipient",
        "rule",
        "description",
        "due_on",
        "status",
        "days_late",
        "unknown",  # issue 13: the fact it depends on that is not known
        "verified",  # and whether its rule's source was read
    }
    assert all(row["status"] in ("open", "done", "late") for row in rows)
    for person in (world.monitor, world.coordinator, world.auditor, world.outsider):
        assert selectors.registry_deadlines(person) == []
    assert {row["study_code"] for row in selectors.registry_deadlines(world.admin)} == {"NCT00763412"}


def test_registry_check_command_json(world, imported):
    out = io.StringIO()
    with pytest.raises(CommandError):  # its record verification (11.64(a)(1)(i)) is overdue: exit status 3
        call_command("registry", "check", "--study", "NCT00763412", "--json", stdout=out)
    (check,) = json.loads(out.getvalue())
    assert check["nct_number"] == "NCT00763412"
    assert check["differences"] == []
    assert {d["rule"] for d in check["deadlines"]} >= {"42 CFR 11.24(a)"}


def test_registry_check_command_text_and_overdue_exit(world):
    import_record(parsed(load("NCT02552212")), by=world.crm, today=TODAY)  # EU sites, no EU results recorded
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("registry", "check", stdout=out)
    assert raised.value.returncode == 3
    assert "late     2021-05-01 EudraCT" in out.getvalue()


def test_registry_check_command_unknown_study(world):
    with pytest.raises(CommandError, match="--study: no study 'NOPE'"):
        call_command("registry", "check", "--study", "NOPE", stdout=io.StringIO())


# API -------------------------------------------------------------------------------------------------


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_api_import_of_a_page(world, client_for):
    response = post_json(
        client_for(world.crm),
        "/api/v1/imports/ctgov",
        {"studies": [load("NCT00763412"), load("NCT05594173")]},
    )
    assert response.status_code == 200, response.content
    studies = response.json()["studies"]
    assert [(s["nct_number"], s["created"], s["sites_created"]) for s in studies] == [
        ("NCT00763412", True, 1),
        ("NCT05594173", True, 1),
    ]


def test_api_import_bad_record_names_json_path_and_writes_nothing(world, client_for):
    bad = load("NCT03064438")
    bad["protocolSection"]["contactsLocationsModule"]["locations"][0]["country"] = "Atlantis"
    response = post_json(
        client_for(world.crm), "/api/v1/imports/ctgov", {"studies": [load("NCT00763412"), bad]}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "$.studies[1].protocolSection.contactsLocationsModule.locations[0].country",
            "message": "unknown country name 'Atlantis'",
        }
    ]
    assert not Study.objects.filter(code__startswith="NCT").exists()


def test_api_import_refuses_invalid_json_and_non_crms(world, client_for):
    response = client_for(world.crm).post(
        "/api/v1/imports/ctgov", data="{oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    for person in (world.monitor, world.auditor, world.sponsor_viewer, world.coordinator, world.outsider):
        assert post_json(client_for(person), "/api/v1/imports/ctgov", load("NCT00763412")).status_code == 403
    assert not Study.objects.filter(code="NCT00763412").exists()


def test_api_registry_check_lists_differences_then_deadlines(world, client_for, imported):
    study_services.update_study(
        study=imported, changes={"planned_enrollment": 36}, by=world.crm, reason="fewer"
    )
    body = client_for(world.crm).get(f"/api/v1/studies/{imported.pk}/registry-check").json()
    assert body == {**body, "count": len(body["items"]), "limit": 50, "offset": 0}
    assert [item["kind"] for item in body["items"]][:1] == ["difference"]
    assert body["items"][0]["registry"] == "40 (estimated)"
    assert {item["rule"] for item in body["items"] if item["kind"] == "deadline"} >= {"42 CFR 11.24(a)"}


def test_api_registry_check_and_facts(world, client_for, imported):
    crm = client_for(world.crm)
    body = crm.get(f"/api/v1/studies/{imported.pk}/registry-check").json()
    kinds = [item["kind"] for item in body["items"]]
    assert kinds and set(kinds) == {"deadline"}  # deadlines, and no differences after a fresh import
    response = crm.put(
        f"/api/v1/studies/{imported.pk}/registry-facts",
        data=json.dumps(
            {"applicable_clinical_trial": True, "delay_certified_on": "2030-06-01", "reason": "certified"}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["delay_certified_on"] == "2030-06-01"
    assert RegistryRecord.objects.get(study=imported).applicable_clinical_trial is True


def test_api_registry_check_of_a_study_never_imported(world, client_for):
    body = client_for(world.auditor).get(f"/api/v1/studies/{world.study_a.pk}/registry-check").json()
    assert (body["count"], body["items"]) == (0, [])


def test_api_registry_facts_need_an_nct_number(world, client_for):
    response = client_for(world.crm).put(
        f"/api/v1/studies/{world.study_a.pk}/registry-facts",
        data=json.dumps({"applicable_clinical_trial": True, "reason": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "nct_number"


def test_api_import_refuses_a_body_over_the_upload_limit(world, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = post_json(client_for(world.crm), "/api/v1/imports/ctgov", load("NCT02552212"))
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Study.objects.filter(code="NCT02552212").exists()


def test_registry_check_command_as_a_user_shows_only_their_studies(world, imported):
    out = io.StringIO()
    call_command("registry", "check", "--user", "monitor_mia", "--json", stdout=out)
    assert json.loads(out.getvalue()) == []
    with pytest.raises(CommandError, match="--user: there is no active user 'nobody'"):
        call_command("registry", "check", "--user", "nobody", stdout=io.StringIO())


def test_api_import_may_skip_unnamed_locations(world, client_for):
    url = "/api/v1/imports/ctgov"
    refused = post_json(client_for(world.crm), url, load("NCT02210780"))
    assert refused.status_code == 422
    assert len(refused.json()["errors"]) == 42
    response = post_json(client_for(world.crm), url + "?skip_unnamed_locations=true", load("NCT02210780"))
    assert response.status_code == 200
    (study,) = response.json()["studies"]
    assert (study["created"], study["sites_created"], len(study["warnings"])) == (True, 0, 42)


# --- issue 13: the applicable-clinical-trial test and deadlines as the law has them ------------------


def _import(world, record: dict):
    outcome = import_record(
        ctgov.parse_record(record, skip_unnamed_locations=True), by=world.crm, today=TODAY
    )
    return Study.objects.get(pk=outcome.study_id)


@pytest.mark.parametrize(
    ("name", "answer", "missing"),
    [
        ("NCT04431453", "yes", []),  # FDA-regulated drug, sites in ES, GB, IT and the US
        ("NCT00763412", "yes", []),  # FDA-regulated drug, a US site
        ("NCT00184067", "unknown", ["FDA-regulated product"]),  # a US site, product not said
        ("NCT02552212", "unknown", ["FDA-regulated product"]),  # product not said
        ("NCT05594173", "no", []),  # observational
    ],
)
def test_the_applicable_clinical_trial_test_on_real_records(world, name, answer, missing):
    study = _import(world, load(name))
    check = selectors.check_study(study, today=TODAY)
    assert (check.applicability, list(check.applicability_missing)) == (answer, missing)
    assert check.applicable is (answer == "yes")


def test_a_trial_without_a_us_site_is_applicable_under_an_ind_once_the_crm_says_so(world):
    record = copy.deepcopy(load("NCT02552212"))  # its sites outside the United States only
    protocol = record["protocolSection"]
    protocol["oversightModule"].update(isFdaRegulatedDrug=True, isFdaRegulatedDevice=False)
    locations = protocol["contactsLocationsModule"]["locations"]
    protocol["contactsLocationsModule"]["locations"] = [
        x for x in locations if x["country"] != "United States"
    ]
    study = _import(world, record)
    check = selectors.check_study(study, today=TODAY)
    assert check.applicability == "unknown"
    assert list(check.applicability_missing) == ["IND/IDE", "product made in the US and exported"]
    fdaaa = [d for d in check.deadlines if d["recipient"] == "ClinicalTrials.gov"]
    assert fdaaa and all(d["unknown"] == "whether it is an applicable clinical trial" for d in fdaaa)
    record_registry_facts(
        study=study, changes={"under_ind_ide": True, "ind_ide_number": "123456"}, by=world.crm, reason="IND"
    )
    check = selectors.check_study(study, today=TODAY)
    assert (check.applicability, check.applicability_why) == (
        "yes",
        "FDA-regulated product studied under an IND or IDE",
    )
    assert all(d["unknown"] == "" for d in check.deadlines if d["recipient"] == "ClinicalTrials.gov")


def test_an_ind_number_with_not_under_an_ind_is_refused_naming_the_field(world, imported):
    with pytest.raises(ValidationError) as error:
        record_registry_facts(
            study=imported,
            changes={"under_ind_ide": False, "ind_ide_number": "123"},
            by=world.crm,
            reason="x",
        )
    assert list(error.value.message_dict) == ["ind_ide_number"]


@pytest.mark.parametrize(
    ("paediatric", "due", "unknown"),
    [
        (None, "2025-12-30", ""),  # the registry's age groups include CHILD: paediatric, six months
        (False, "2026-06-30", ""),  # the CRM says it is not: 12 months (Art. 37(4))
    ],
)
def test_eu_results_of_a_real_paediatric_trial(world, paediatric, due, unknown):
    study = _import(world, load("NCT04431453"))
    record_registry_facts(
        study=study,
        changes={"eu_end_of_trial_on": dt.date(2025, 6, 30), "paediatric": paediatric},
        by=world.crm,
        reason="end of trial",
    )
    check = selectors.check_study(study, today=TODAY)
    (eu,) = [d for d in check.deadlines if d["recipient"] == "EU CTIS"]
    assert (eu["due_on"].isoformat(), eu["unknown"]) == (due, unknown)


def test_the_status_update_is_due_30_days_after_the_first_unreported_change(world, imported, clock):
    clock.move_to("2026-01-10T10:00Z")
    study = study_services.update_study(
        study=imported, changes={"status": "suspended"}, by=world.crm, reason="hold"
    )
    clock.move_to("2026-01-25T10:00Z")
    study = study_services.update_study(
        study=study, changes={"status": "recruiting"}, by=world.crm, reason="x"
    )
    study = study_services.update_study(
        study=study, changes={"status": "active_not_recruiting"}, by=world.crm, reason="closed"
    )
    check = selectors.check_study(study, today=dt.date(2026, 2, 1))
    (update,) = [d for d in check.deadlines if d["rule"] == "42 CFR 11.64(a)(1)(ii)"]
    assert update["due_on"] == dt.date(2026, 2, 9)  # 30 days after 10 January, not after 25 January
