"""Importing ClinicalTrials.gov records: studies, sites, arms and milestones, re-imports and local edits."""

import copy
import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import override_site_gates
from tests.reference_data import REFERENCE_DATA
from trialdesk.core.models import AuditEvent
from trialdesk.integrations.models import RegistryRecord
from trialdesk.integrations.registry.importing import REASON, ImportRefused
from trialdesk.integrations.registry.services import import_record
from trialdesk.interop import ctgov
from trialdesk.sites import services as site_services
from trialdesk.sites.models import Institution, StudySite
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Milestone, Study

CTGOV_DATA = REFERENCE_DATA / "ctgov"


def load(name: str) -> dict:
    folder = "v2_partial" if (CTGOV_DATA / "v2_partial" / f"{name}.json").exists() else "v2"
    return json.loads((CTGOV_DATA / folder / f"{name}.json").read_text())


def parsed(record: dict) -> ctgov.RegistryStudy:
    return ctgov.parse_record(record)


def recruiting_record(posted: str = "2024-01-10") -> dict:
    """NCT00763412 as if it were still recruiting at its one site."""
    record = copy.deepcopy(load("NCT00763412"))
    status = record["protocolSection"]["statusModule"]
    status["overallStatus"] = "RECRUITING"
    status["primaryCompletionDateStruct"] = {"date": "2030-01-31", "type": "ESTIMATED"}
    status["completionDateStruct"] = {"date": "2030-06-30", "type": "ESTIMATED"}
    status["lastUpdatePostDateStruct"] = {"date": posted, "type": "ACTUAL"}
    record["protocolSection"]["contactsLocationsModule"]["locations"][0]["status"] = "RECRUITING"
    record["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 40, "type": "ESTIMATED"}
    return record


def import_past_the_gates(registry: ctgov.RegistryStudy, *, by, today, code: str = ""):
    """Import, have the study's CRM sign its sites' start-up and close-out off, and import the record
    again, which walks the sites on to the registry's status: for tests about something else than the
    gates (test_imported_sites_past_activation_wait_in_start_up_for_the_gates is about them)."""
    import_record(registry, by=by, today=today, code=code)
    override_site_gates(Study.objects.get(nct_number=registry.nct_number), by=by)
    return import_record(registry, by=by, today=today, code=code)


def run_import(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "ctgov", *args, "--no-progress", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def today():
    return dt.date(2026, 1, 15)


def test_import_creates_the_study_with_every_mapped_field(world, today):
    outcome = import_record(parsed(load("NCT00763412")), by=world.crm, today=today)
    study = Study.objects.get(code="NCT00763412")
    assert (outcome.study_created, outcome.sites_created) == (True, 1)
    assert study.nct_number == "NCT00763412"
    assert study.title.startswith("Pilot and Feasibility Study for the Treatment of Pre-diabetes")
    assert study.status == "completed"
    assert study.planned_enrollment == 31
    assert study.sponsor == "Arbelaez, Ana Maria"
    assert study.therapeutic_area == "Cystic Fibrosis Related Diabetes"
    assert study.blinded is True
    assert study.phase == "observational"  # NA: warned, see the rules
    assert any("designModule.phases" in w for w in outcome.warnings)
    assert sorted(study.arms.values_list("name", "arm_type")) == [
        ("1 Placebo", "placebo_comparator"),
        ("2. repaglinide", "experimental"),
    ]
    record = RegistryRecord.objects.get(study=study)
    assert record.official_title == study.title
    assert record.conditions == ["Cystic Fibrosis Related Diabetes", "Pancreatic Insufficiency"]
    assert record.primary_outcomes[0] == {"measure": "BMI", "time_frame": "2 year/end of study"}
    assert record.enrollment_type == "ACTUAL"
    assert "Inclusion Criteria" in record.eligibility_summary
    assert record.snapshot.raw["protocolSection"]["identificationModule"]["nctId"] == "NCT00763412"
    assert record.last_update_posted_on == dt.date(2017, 6, 5)


def test_imported_sites_past_activation_wait_in_start_up_for_the_gates(world, today):
    outcome = import_record(parsed(load("NCT00763412")), by=world.crm, today=today)  # completed
    site = StudySite.objects.get(study__code="NCT00763412")
    assert site.status == "start_up"  # the import cannot activate a site whose start-up items are pending
    assert any(
        "site 001 stays start_up although the registry says closed" in warning and "activated" in warning
        for warning in outcome.warnings
    ), outcome.warnings
    override_site_gates(site.study, by=world.crm)
    import_record(parsed(load("NCT00763412")), by=world.crm, today=today)
    site.refresh_from_db()
    assert site.status == "closed"


def test_import_makes_institution_site_and_milestones(world, today):
    import_past_the_gates(parsed(load("NCT00763412")), by=world.crm, today=today)
    site = StudySite.objects.select_related("institution").get(study__code="NCT00763412")
    institution = site.institution
    assert (institution.name, institution.city, institution.region, institution.postal_code) == (
        "Washington University School of Medicine",
        "Saint Louis",
        "Missouri",
        "63110",
    )
    assert (institution.country, institution.time_zone) == ("US", "America/Chicago")
    assert (site.site_number, site.status) == ("001", "closed")  # a completed study's site is closed
    milestones = {m.label: m for m in Milestone.objects.filter(study=site.study)}
    assert milestones["First participant in"].actual_on == dt.date(2006, 11, 1)
    assert milestones["Primary completion"].actual_on == dt.date(2013, 1, 1)
    assert milestones["Last participant last visit"].actual_on == dt.date(2013, 1, 1)


def test_every_write_of_the_import_is_audited_with_its_reason(world, today):
    import_record(parsed(load("NCT00763412")), by=world.crm, today=today)
    study = Study.objects.get(code="NCT00763412")
    events = AuditEvent.objects.filter(study_id=study.pk)
    assert events.filter(action="study.created", reason=REASON).exists()
    assert events.filter(action="studysite.created", reason=REASON).exists()
    assert events.filter(action="registryrecord.created", reason=REASON).exists()
    assert AuditEvent.objects.filter(action="institution.created", reason=REASON).exists()
    assert {e.actor_username for e in events} == {"crm_anna"}


def test_code_option_names_the_new_study(world, today):
    import_record(parsed(load("NCT01525901")), by=world.crm, code="PMS-22Q", today=today)
    assert Study.objects.get(code="PMS-22Q").nct_number == "NCT01525901"


def test_reimporting_the_same_record_changes_nothing(world, today):
    import_record(parsed(load("NCT02552212")), by=world.crm, today=today)
    events, sites, institutions = (
        AuditEvent.objects.count(),
        StudySite.objects.count(),
        Institution.objects.count(),
    )
    outcome = import_record(parsed(load("NCT02552212")), by=world.crm, today=today)
    assert (outcome.study_created, outcome.study_updated, outcome.sites_created, outcome.sites_updated) == (
        False,
        False,
        0,
        0,
    )
    assert (AuditEvent.objects.count(), StudySite.objects.count(), Institution.objects.count()) == (
        events,
        sites,
        institutions,
    )
    assert StudySite.objects.filter(study__code="NCT02552212").count() == 105


def test_newer_record_updates_in_place_and_walks_the_site_lifecycle(world, today):
    import_past_the_gates(parsed(recruiting_record()), by=world.crm, today=today)
    site = StudySite.objects.get(study__code="NCT00763412")
    assert site.status == "enrolling"
    newer = recruiting_record(posted="2025-06-01")
    newer["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"
    newer["protocolSection"]["contactsLocationsModule"]["locations"][0]["status"] = "COMPLETED"
    newer["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 35, "type": "ACTUAL"}
    outcome = import_record(parsed(newer), by=world.crm, today=today)
    assert (outcome.study_updated, outcome.sites_updated) == (True, 1)
    study = Study.objects.get(code="NCT00763412")
    assert (study.status, study.planned_enrollment) == ("completed", 35)
    site.refresh_from_db()
    assert site.status == "closed"
    moves = AuditEvent.objects.filter(
        object_type="sites.studysite", object_id=str(site.pk), action="studysite.status_changed"
    )
    assert [e.changes["status"] for e in moves][-2:] == [
        ["enrolling", "enrollment_closed"],
        ["enrollment_closed", "closed"],
    ]
    assert Study.objects.filter(nct_number="NCT00763412").count() == 1


def test_site_that_cannot_reach_the_registry_status_is_reported_not_forced(world, today):
    import_past_the_gates(parsed(load("NCT00763412")), by=world.crm, today=today)  # completed: closed
    newer = recruiting_record(posted="2025-06-01")
    outcome = import_record(parsed(newer), by=world.crm, today=today)
    assert StudySite.objects.get(study__code="NCT00763412").status == "closed"
    assert any("cannot move from closed to enrolling" in w for w in outcome.warnings)


def test_local_edits_are_kept_and_reported_on_reimport(world, today):
    import_past_the_gates(parsed(recruiting_record()), by=world.crm, today=today)
    study = Study.objects.get(code="NCT00763412")
    study_services.update_study(
        study=study, changes={"title": "Repaglinide in CF pre-diabetes"}, by=world.crm, reason="shorter"
    )
    site = StudySite.objects.get(study=study)
    site_services.change_site_status(
        study_site=site, to="enrollment_closed", by=world.crm, reason="target reached"
    )
    newer = recruiting_record(posted="2025-06-01")
    newer["protocolSection"]["identificationModule"]["briefTitle"] = "A new registry title"
    newer["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 44, "type": "ESTIMATED"}
    outcome = import_record(parsed(newer), by=world.crm, today=today)
    study.refresh_from_db()
    site.refresh_from_db()
    assert study.title == "Repaglinide in CF pre-diabetes"  # kept
    assert study.planned_enrollment == 44  # nobody touched it in Trialdesk: follows the registry
    assert site.status == "enrollment_closed"
    assert any(
        edit.startswith("study title: Trialdesk has 'Repaglinide in CF pre-diabetes'")
        for edit in outcome.local_edits
    )
    assert any("site 001 status" in edit for edit in outcome.local_edits)


def test_older_record_is_skipped(world, today):
    import_record(parsed(recruiting_record(posted="2025-06-01")), by=world.crm, today=today)
    older = recruiting_record(posted="2024-01-01")
    older["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 99, "type": "ESTIMATED"}
    outcome = import_record(parsed(older), by=world.crm, today=today)
    assert outcome.skipped
    assert Study.objects.get(code="NCT00763412").planned_enrollment == 40


def test_people_who_do_not_set_up_studies_cannot_import(world, today):
    for person in (world.monitor, world.coordinator, world.auditor, world.sponsor_viewer, world.outsider):
        with pytest.raises(PermissionDenied):
            import_record(parsed(load("NCT00763412")), by=person, today=today)
    assert not Study.objects.filter(code="NCT00763412").exists()


def test_code_of_a_study_with_another_nct_number_is_refused(world, today):
    study_services.update_study(
        study=world.study_a, changes={"nct_number": "NCT99999999"}, by=world.admin, reason="registered"
    )
    with pytest.raises(ImportRefused, match="already has NCT number NCT99999999"):
        import_record(parsed(load("NCT00763412")), by=world.crm, code="ONC-A", today=today)


def test_existing_study_with_the_nct_number_is_updated_not_duplicated(world, today):
    study_services.update_study(
        study=world.study_a, changes={"nct_number": "NCT00763412"}, by=world.admin, reason="registered"
    )
    outcome = import_record(parsed(load("NCT00763412")), by=world.crm, today=today)
    assert not outcome.study_created
    assert outcome.study_code == "ONC-A"
    assert world.study_a.sites.count() == 3  # its two sites and the registry's one


def test_command_imports_the_reference_records_and_summarises(world, tmp_path):
    out, err = run_import(
        str(CTGOV_DATA / "v2"),
        str(CTGOV_DATA / "v2_partial"),
        "--user",
        "crm_anna",
        "--skip-unnamed-locations",
    )
    assert "Studies: 13 created, 0 updated" in out
    assert "Sites: 148 created" in out
    assert "Records failed: 0." in out
    assert Study.objects.filter(registry_record__isnull=False).count() == 13
    out, err = run_import(str(CTGOV_DATA / "v2"), "--user", "crm_anna", "--skip-unnamed-locations")
    assert "Studies: 0 created, 0 updated, 8 unchanged" in out


def test_command_reads_pages_and_gzip(world, tmp_path):
    import gzip

    page = tmp_path / "page.json.gz"
    with gzip.open(page, "wt", encoding="utf-8") as handle:
        json.dump({"studies": [load("NCT00763412"), load("NCT03064438")], "nextPageToken": "x"}, handle)
    out, _ = run_import(str(page), "--user", "crm_anna")
    assert "Studies: 2 created" in out


def test_command_reports_bad_records_with_file_and_path_and_imports_the_rest(world, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    no_nct = load("NCT00763412")
    del no_nct["protocolSection"]["identificationModule"]["nctId"]
    unknown_country = load("NCT03064438")
    unknown_country["protocolSection"]["contactsLocationsModule"]["locations"][1]["country"] = "Atlantis"
    (tmp_path / "page.json").write_text(
        json.dumps({"studies": [no_nct, unknown_country, load("NCT05594173")]})
    )
    (tmp_path / "unnamed.json").write_text(json.dumps(load("NCT02210780")))
    with pytest.raises(CommandError) as raised:
        run_import(str(tmp_path), "--user", "crm_anna")
    assert raised.value.returncode == 1
    assert Study.objects.filter(code__startswith="NCT").count() == 1  # only the good record


def test_command_error_lines_name_file_and_json_path(world, tmp_path, capsys):
    bad = load("NCT03064438")
    bad["protocolSection"]["contactsLocationsModule"]["locations"][1]["country"] = "Atlantis"
    (tmp_path / "page.json").write_text(json.dumps({"studies": [load("NCT05594173"), bad]}))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            "ctgov",
            str(tmp_path),
            "--user",
            "crm_anna",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert (
        f"error {tmp_path / 'page.json'}:"
        "$.studies[1].protocolSection.contactsLocationsModule.locations[1].country: "
        "unknown country name 'Atlantis'"
    ) in err.getvalue()
    assert not Study.objects.filter(code="NCT03064438").exists()


def test_command_refuses_invalid_json_and_records_without_facility(world, tmp_path):
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "unnamed.json").write_text(json.dumps(load("NCT02210780")))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import",
            "ctgov",
            str(tmp_path),
            "--user",
            "crm_anna",
            "--no-progress",
            stdout=io.StringIO(),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert (
        f"error {tmp_path / 'broken.json'}: not valid JSON "
        "(line 1, column 2: Expecting property name enclosed in double quotes)" in lines
    )
    assert any(
        line.startswith(
            f"error {tmp_path / 'unnamed.json'}:"
            "$.protocolSection.contactsLocationsModule.locations[0].facility: "
            "location without a facility name"
        )
        and line.endswith("and 39 more problem(s)")
        for line in lines
    )
    assert not Study.objects.filter(code="NCT02210780").exists()


def test_command_refuses_code_for_several_records_and_unknown_user(world):
    with pytest.raises(CommandError, match="--code: only one record"):
        run_import(str(CTGOV_DATA / "v2"), "--user", "crm_anna", "--code", "X")
    with pytest.raises(CommandError, match="--user: there is no active user 'nobody'"):
        run_import(str(CTGOV_DATA / "v2"), "--user", "nobody")
    with pytest.raises(CommandError, match="no such file"):
        run_import("/nonexistent/file.json", "--user", "crm_anna")


def test_first_import_into_a_study_set_up_by_hand_overwrites_nothing(world, today):
    study = world.study_a
    study_services.update_study(
        study=study, changes={"nct_number": "NCT00763412"}, by=world.admin, reason="registered"
    )
    washington = site_services.create_institution(
        name="Washington University School of Medicine",
        city="Saint Louis",
        country="US",
        time_zone="America/Chicago",
        by=world.admin,
    )
    own_site = site_services.create_study_site(
        study=study, institution=washington, site_number="150", by=world.admin
    )
    outcome = import_record(parsed(recruiting_record()), by=world.crm, today=today)
    study.refresh_from_db()
    assert (study.title, study.planned_enrollment, study.status) == ("Study ONC-A", 120, "planned")
    assert any(
        edit.startswith("study title: Trialdesk has 'Study ONC-A' (set before the first import)")
        for edit in outcome.local_edits
    )
    assert outcome.sites_created == 0  # the registry's location is the site already there
    own_site.refresh_from_db()
    assert own_site.status == "identified"
    assert any(edit.startswith("site 150 status") for edit in outcome.local_edits)
    washington.refresh_from_db()
    assert washington.region == "Missouri"  # empty before: filled in from the registry
    assert RegistryRecord.objects.get(study=study).snapshot.location_sites == {
        "washington university school of medicine|saint louis|us": own_site.pk
    }


def test_values_that_already_agree_are_followed_after_the_first_import(world, today):
    study = world.study_a
    study_services.update_study(
        study=study,
        changes={"nct_number": "NCT00763412", "planned_enrollment": 40},
        by=world.admin,
        reason="registered",
    )
    import_record(
        parsed(recruiting_record()), by=world.crm, today=today
    )  # links: 40 agrees with the registry
    newer = recruiting_record(posted="2025-06-01")
    newer["protocolSection"]["designModule"]["enrollmentInfo"] = {"count": 48, "type": "ESTIMATED"}
    import_record(parsed(newer), by=world.crm, today=today)
    study.refresh_from_db()
    assert study.planned_enrollment == 48
    assert study.title == "Study ONC-A"  # still Trialdesk's own
