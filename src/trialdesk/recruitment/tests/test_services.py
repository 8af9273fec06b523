"""Writes of recruitment: criteria through the audited write path, uploads screened (or refused whole),
re-screening when a rule is confirmed, the approach to the screening log, and the retention purge."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.recruitment import services
from trialdesk.recruitment.models import Candidate, CandidateUpload, EligibilityCriterion
from trialdesk.recruitment.tests.factories import make_criteria, make_pool, pool_csv
from trialdesk.subjects.models import ScreeningEntry


def test_a_criterion_is_written_with_its_audit_event(world):
    criterion = make_criteria(world.study_a, by=world.crm)[0]
    event = AuditEvent.objects.get(
        object_type="recruitment.eligibilitycriterion", object_id=str(criterion.pk)
    )
    assert event.action == "eligibilitycriterion.created"
    assert criterion.label == "I1"


def test_a_rule_with_a_unit_nobody_knows_is_refused_naming_the_rule(world):
    bad = {
        "kind": "observation",
        "code": {"system": "http://loinc.org", "code": "751-8"},
        "comparator": ">=",
        "value": 1,
        "unit": "blorps",
    }
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.create_criterion(
            study=world.study_a, by=world.crm, section="inclusion", text="ANC", rule=bad
        )
    assert "rule" in refused.value.error_dict


def test_the_sponsor_viewer_may_not_change_criteria(world):
    with pytest.raises(PermissionDenied):
        services.create_criterion(study=world.study_a, by=world.sponsor_viewer, section="inclusion", text="x")


def test_an_upload_screens_each_candidate_and_explains_each_result(world, coordinator_a1):
    make_criteria(world.study_a, by=world.crm)
    upload = make_pool(
        world.site_a1,
        by=coordinator_a1,
        rows=[
            "C-1,1970-05-01,female,,,1@2025-01-02,2.0@2025-01-02",
            "C-2,1970-05-01,male,icd10|B20.1|2019-01-01,,,2.0@2025-01-02",
            "C-3,,female,,,,",
        ],
    )
    statuses = dict(Candidate.objects.values_list("key", "status"))
    assert statuses == {"C-1": "eligible", "C-2": "ineligible", "C-3": "unknown"}
    c3 = Candidate.objects.get(key="C-3")
    assert [r["result"] for r in c3.results] == ["unknown", "unknown", "manual", "not_met"]
    assert c3.results[0]["because"] == "birth date not recorded"
    assert upload.candidate_count == 3
    event = AuditEvent.objects.get(object_type="recruitment.candidateupload")
    assert "C-1" not in json.dumps(event.changes)  # the trail keeps counts, never a candidate


def test_a_malformed_bundle_stores_nothing_and_names_the_entry(world, coordinator_a1):
    bundle = {
        "resourceType": "Bundle",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "P1", "birthDate": "1970"}},
            {
                "resource": {
                    "resourceType": "Observation",
                    "subject": {"reference": "Patient/P1"},
                    "code": {"coding": []},
                    "valueQuantity": {"value": 1},
                }
            },
        ],
    }
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.upload_candidates(
            study_site=world.site_a1,
            by=coordinator_a1,
            file_name="b.json",
            content=json.dumps(bundle).encode(),
        )
    assert refused.value.message_dict["file"] == [
        "b.json entry[1] (Observation).code.coding: a coded concept (system and code) is required"
    ]
    assert not Candidate.objects.exists()


def test_confirming_a_suggested_rule_screens_the_pool_again(world, coordinator_a1):
    suggested = services.create_criterion(
        study=world.study_a,
        by=world.crm,
        section="exclusion",
        text="Female",
        rule={"kind": "sex", "sex": "female"},
    )
    make_pool(world.site_a1, by=coordinator_a1, keys=("C-1",))
    assert Candidate.objects.get().results[0]["result"] == "manual"  # a suggestion is not used
    services.confirm_rule(criterion=suggested, by=world.crm)
    candidate = Candidate.objects.get()
    assert (candidate.status, candidate.results[0]["result"]) == ("ineligible", "met")


def test_approaching_a_candidate_adds_them_to_the_screening_log(world, coordinator_a1):
    candidate = make_pool(world.site_a1, by=coordinator_a1, keys=("C-9",)).candidates.get()
    services.approach_candidate(
        candidate=candidate, by=coordinator_a1, screening_number="S-101-77", screened_on=dt.date(2025, 3, 1)
    )
    entry = ScreeningEntry.objects.get(screening_number="S-101-77")
    assert entry.study_site == world.site_a1 and "candidate C-9" in entry.source_detail
    assert Candidate.objects.get().screening_entry == entry
    with pytest.raises(ValidationError):
        services.approach_candidate(
            candidate=Candidate.objects.get(), by=coordinator_a1, screening_number="S-101-78"
        )


def test_the_monitor_may_not_upload_to_a_pool(world):
    with pytest.raises(PermissionDenied):
        make_pool(world.site_a1, by=world.monitor)


def test_the_purge_deletes_candidates_past_retention_and_audits_the_upload(world, coordinator_a1):
    services.set_retention(study=world.study_a, retention_days=30, by=world.crm)
    old = make_pool(world.site_a1, by=coordinator_a1, keys=("OLD",))
    CandidateUpload.objects.filter(pk=old.pk).update(uploaded_on=dt.date(2020, 1, 1))  # an upload from 2020
    make_pool(world.site_a1, by=coordinator_a1, keys=("NEW",))
    call_command("eligibility", "purge", "--dry-run")
    assert Candidate.objects.count() == 2
    report = services.purge_expired_candidates(by=None)
    assert [(line.count, line.retention_days) for line in report] == [(1, 30)]
    assert list(Candidate.objects.values_list("key", flat=True)) == ["NEW"]
    assert CandidateUpload.objects.get(pk=old.pk).purged_on is not None
    assert AuditEvent.objects.filter(action="candidateupload.purged").count() == 1


def test_a_re_upload_replaces_a_candidate_not_yet_approached(world, coordinator_a1):
    make_pool(world.site_a1, by=coordinator_a1, keys=("C-1",))
    services.upload_candidates(
        study_site=world.site_a1,
        by=coordinator_a1,
        file_name="again.csv",
        content=pool_csv("C-1,1950-01-01,male,,,,"),
    )
    assert Candidate.objects.get().facts["sex"] == "male"


def test_criteria_text_import_suggests_rules_to_confirm(world):
    made = services.import_criteria_text(
        study=world.study_a,
        by=world.crm,
        text="Inclusion Criteria:\n* Age 18 to 75 years\n* Consent",
        sex="FEMALE",
        minimum_age="18 Years",
    )
    assert [(c.text, c.rule is not None, c.rule_confirmed) for c in made] == [
        ("Ages: 18 Years to no maximum", True, True),
        ("Sex: Female", True, True),
        ("Age 18 to 75 years", True, False),
        ("Consent", False, False),
    ]
    assert EligibilityCriterion.objects.filter(study=world.study_a).count() == 4
