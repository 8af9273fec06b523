"""The participants API read as sentences: the screening log, consent, enrollment and its refusals,
status and withdrawal, consent versions and approvals, the re-consent list and the diversity plan."""

import datetime as dt

import pytest
from django.test import Client

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.subjects import services
from trialdesk.subjects.models import ConsentVersion, Participant, ScreeningEntry
from trialdesk.subjects.tests.factories import (
    SIGNED,
    make_consent_version,
    make_diversity_target,
    make_enrolled,
    make_screening_entry,
)

JSON = "application/json"


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def cora(trial, client_for) -> Client:
    """The coordinator of site A1."""
    return client_for(trial.coordinator)


def screened(trial, number="S-1", consented=True) -> ScreeningEntry:
    entry = make_screening_entry(trial.site_a1, number, by=trial.crm)
    if consented:
        services.record_consent(
            screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm
        )
    return entry


# --- screening log ----------------------------------------------------------------------------


def test_coordinator_adds_and_lists_screening_entries(trial, cora):
    entries = f"/api/v1/study-sites/{trial.site_a1.pk}/screening-entries"
    created = cora.post(
        entries,
        {
            "screening_number": "S-9",
            "screened_on": "2025-04-01",
            "outcome": "failed",
            "failure_reason": "other",
            "failure_detail": "Moved abroad",
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    assert (created.json()["failure_reason"], created.json()["participant_id"]) == ("other", None)
    assert [e["screening_number"] for e in cora.get(entries).json()["items"]] == ["S-9"]


def test_screen_failure_without_reason_names_the_field(trial, cora):
    response = cora.post(
        f"/api/v1/study-sites/{trial.site_a1.pk}/screening-entries",
        {"screening_number": "S-9", "screened_on": "2025-04-01", "outcome": "failed"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["failure_reason"]


def test_screening_entry_update_needs_reason_and_version_and_refuses_a_stale_one(trial, cora):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm, outcome="pending")
    path = f"/api/v1/screening-entries/{entry.pk}"
    assert fields(cora.patch(path, {"outcome": "passed", "version": 1}, content_type=JSON)) == ["reason"]
    updated = cora.patch(path, {"outcome": "passed", "reason": "labs back", "version": 1}, content_type=JSON)
    assert (updated.status_code, updated.json()["version"], updated["ETag"]) == (200, 2, '"2"')
    stale = cora.patch(path, {"source_detail": "x", "reason": "r"}, content_type=JSON, HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409


def test_monitor_may_not_add_to_the_screening_log(trial, client_for):
    with nothing_written():
        response = client_for(trial.monitor).post(
            f"/api/v1/study-sites/{trial.site_a1.pk}/screening-entries",
            {"screening_number": "S-9", "screened_on": "2025-04-01"},
            content_type=JSON,
        )
    assert response.status_code == 403 and not ScreeningEntry.objects.filter(screening_number="S-9").exists()


# --- consent and enrollment -------------------------------------------------------------------


def test_consent_date_in_the_future_is_refused_naming_the_field(trial, cora):
    entry = screened(trial, consented=False)
    response = cora.post(
        f"/api/v1/screening-entries/{entry.pk}/consents",
        {"consent_version_id": trial.v1.pk, "signed_at": "2099-01-01T10:00:00Z"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["signed_at"]
    assert response.json()["detail"] == "signed_at: The consent date and time are in the future."


def test_consent_without_its_time_or_on_an_unknown_version_is_refused(trial, cora):
    entry = screened(trial, consented=False)
    path = f"/api/v1/screening-entries/{entry.pk}/consents"
    assert fields(cora.post(path, {"consent_version_id": trial.v1.pk}, content_type=JSON)) == ["signed_at"]
    missing = cora.post(path, {"consent_version_id": 999, "signed_at": "2025-03-03T10:00"}, content_type=JSON)
    assert fields(missing) == ["consent_version_id"]


def test_consent_time_without_offset_is_the_sites_local_time(trial, cora):
    entry = screened(trial, consented=False)
    response = cora.post(
        f"/api/v1/screening-entries/{entry.pk}/consents",
        {"consent_version_id": trial.v1.pk, "signed_at": "2025-03-03T09:30:00"},
        content_type=JSON,
    )
    assert response.status_code == 201
    signed_at = dt.datetime.fromisoformat(response.json()["signed_at"])
    assert signed_at == dt.datetime(2025, 3, 3, 8, 30, tzinfo=dt.UTC)  # Berlin is UTC+1 in March
    listed = cora.get(f"/api/v1/screening-entries/{entry.pk}/consents").json()
    assert listed["count"] == 1


def test_coordinator_enrolls_a_consented_person_with_the_next_number(trial, cora):
    entry = screened(trial)
    response = cora.post(
        f"/api/v1/studies/{trial.study_a.pk}/participants",
        {"screening_entry_id": entry.pk, "enrolled_on": "2025-03-04", "sex": "female", "age_at_consent": 61},
        content_type=JSON,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["number"], body["status"], body["sex"], body["ethnicity"]) == (
        "101-001",
        "enrolled",
        "female",
        "",
    )
    assert cora.get(f"/api/v1/participants/{body['id']}/consents").json()["count"] == 1
    assert cora.get(f"/api/v1/screening-entries/{entry.pk}").json()["participant_id"] == body["id"]


def test_enrollment_without_valid_consent_is_refused_naming_the_screening_entry(trial, cora):
    entry = screened(trial, consented=False)
    response = cora.post(
        f"/api/v1/studies/{trial.study_a.pk}/participants",
        {"screening_entry_id": entry.pk},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["screening_entry_id"]
    assert "no consent on the consent version currently approved" in response.json()["detail"]
    assert not Participant.objects.exists()


def test_duplicate_participant_number_is_refused_naming_the_field(trial, cora):
    make_enrolled(trial.site_a1, "S-0", by=trial.crm, version=trial.v1)
    entry = screened(trial)
    response = cora.post(
        f"/api/v1/studies/{trial.study_a.pk}/participants",
        {"screening_entry_id": entry.pk, "number": "101-001", "enrolled_on": "2025-03-04"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["number"]


def test_enrollment_target_reached_is_refused_for_the_record_as_a_whole(trial, cora):
    from trialdesk.studies import services as study_services

    study_services.update_study(
        study=trial.study_a, changes={"planned_enrollment": 1}, by=trial.crm, reason="pilot"
    )
    make_enrolled(trial.site_a2, "S-0", by=trial.crm, version=trial.v1)
    entry = screened(trial)
    response = cora.post(
        f"/api/v1/studies/{trial.study_a.pk}/participants",
        {"screening_entry_id": entry.pk, "enrolled_on": "2025-03-04"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == [None]
    assert "The study's target of 1 is reached" in response.json()["detail"]


def test_a_screening_entry_out_of_sight_is_named_as_unknown(trial, client_for):
    entry = screened(trial)
    carl = client_for(trial.world.coordinator)
    response = carl.post(
        f"/api/v1/studies/{trial.study_b.pk}/participants",
        {"screening_entry_id": entry.pk},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["screening_entry_id"]


def test_read_only_people_hear_403_before_anything_about_their_input(trial, client_for):
    with nothing_written():
        response = client_for(trial.auditor).post(
            f"/api/v1/studies/{trial.study_a.pk}/participants", {"screening_entry_id": 999}, content_type=JSON
        )
    assert response.status_code == 403 and response.json()["errors"] == []


# --- participants -----------------------------------------------------------------------------


@pytest.fixture
def participant(trial) -> Participant:
    return make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)


def test_participant_list_is_scoped_and_filtered(trial, client_for, participant):
    make_enrolled(trial.site_a2, "S-2", by=trial.crm, version=trial.v1)
    path = f"/api/v1/studies/{trial.study_a.pk}/participants"
    assert [p["number"] for p in client_for(trial.crm).get(path).json()["items"]] == ["101-001", "102-001"]
    assert [p["number"] for p in client_for(trial.monitor).get(path).json()["items"]] == ["101-001"]
    assert client_for(trial.crm).get(f"{path}?status=withdrawn").json()["count"] == 0
    assert client_for(trial.crm).get(f"{path}?study_site_id={trial.site_a2.pk}").json()["count"] == 1
    assert (
        client_for(trial.world.coordinator).get(f"/api/v1/participants/{participant.pk}").status_code == 404
    )


def test_transition_moves_the_status_with_reason_and_version(trial, cora, participant):
    path = f"/api/v1/participants/{participant.pk}/transition"
    stale = cora.post(path, {"to": "on_treatment", "reason": "r"}, content_type=JSON, HTTP_IF_MATCH='"5"')
    assert stale.status_code == 409
    refused = cora.post(path, {"to": "completed", "reason": "r", "version": 1}, content_type=JSON)
    assert refused.status_code == 422 and fields(refused) == ["to"]
    moved = cora.post(
        path, {"to": "died", "on": "2025-04-01", "reason": "SAE 17", "version": 1}, content_type=JSON
    )
    assert moved.status_code == 200
    assert (moved.json()["status"], moved.json()["end_reason"], moved.json()["status_changed_on"]) == (
        "died",
        "SAE 17",
        "2025-04-01",
    )
    final = cora.post(path, {"to": "enrolled", "reason": "r", "version": 2}, content_type=JSON)
    assert final.status_code == 422 and "cannot change status" in final.json()["detail"]


def test_demographics_patch_needs_a_reason(trial, cora, participant):
    path = f"/api/v1/participants/{participant.pk}"
    assert fields(cora.patch(path, {"race": "asian", "version": 1}, content_type=JSON)) == ["reason"]
    patched = cora.patch(
        path, {"race": "asian", "sex": None, "reason": "CRF", "version": 1}, content_type=JSON
    )
    assert (patched.json()["race"], patched.json()["sex"]) == ("asian", "")


def test_reconsent_and_withdrawal_through_the_api(trial, cora, participant):
    v2 = make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
        optional_items=["Future research"],
    )
    listed = cora.get(f"/api/v1/studies/{trial.study_a.pk}/reconsent").json()
    assert listed["count"] == 1
    (item,) = listed["items"]
    assert (item["participant_number"], item["consent_version_label"], item["is_overdue"]) == (
        "101-001",
        "2.0",
        True,
    )
    assert item["signed_version_id"] == trial.v1.pk
    consent = cora.post(
        f"/api/v1/participants/{participant.pk}/consents",
        {
            "consent_version_id": v2.pk,
            "signed_at": "2025-06-20T10:00:00+02:00",
            "optional_items": {"Future research": False},
        },
        content_type=JSON,
    )
    assert consent.status_code == 201 and consent.json()["optional_items"] == {"Future research": False}
    assert cora.get(f"/api/v1/studies/{trial.study_a.pk}/reconsent").json()["count"] == 0
    withdrawal = cora.post(
        f"/api/v1/participants/{participant.pk}/withdrawals",
        {"withdrawn_on": "2025-07-01", "scope": "partial", "what_continues": "Survival follow-up by phone"},
        content_type=JSON,
    )
    assert withdrawal.status_code == 201
    assert (
        cora.get(f"/api/v1/participants/{participant.pk}/withdrawals").json()["items"][0]["scope"]
        == "partial"
    )
    assert cora.get(f"/api/v1/participants/{participant.pk}").json()["status"] == "enrolled"


def test_partial_withdrawal_without_what_continues_names_the_field(trial, cora, participant):
    response = cora.post(
        f"/api/v1/participants/{participant.pk}/withdrawals",
        {"withdrawn_on": "2025-07-01", "scope": "partial"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["what_continues"]


# --- consent versions and approvals -----------------------------------------------------------


def test_crm_adds_a_consent_version_and_a_sites_approval(trial, client_for):
    crm = client_for(trial.crm)
    created = crm.post(
        f"/api/v1/studies/{trial.study_a.pk}/consent-versions",
        {
            "protocol_version_id": trial.protocol_a.pk,
            "label": "2.0",
            "language": "en",
            "effective_on": "2025-06-01",
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    version_id = created.json()["id"]
    approval = crm.post(
        f"/api/v1/consent-versions/{version_id}/approvals",
        {"study_site_id": trial.site_a1.pk, "approved_on": "2025-06-05", "reference": "EC-17"},
        content_type=JSON,
    )
    assert approval.status_code == 201
    again = crm.post(
        f"/api/v1/consent-versions/{version_id}/approvals",
        {"study_site_id": trial.site_a1.pk, "approved_on": "2025-06-05"},
        content_type=JSON,
    )
    assert again.status_code == 422 and fields(again) == ["study_site_id"]
    assert crm.get(f"/api/v1/consent-versions/{version_id}/approvals").json()["count"] == 1
    assert AuditEvent.objects.filter(action="consentapproval.created").count() == 3  # two from the fixture


def test_consent_version_with_another_studys_protocol_names_the_field(trial, client_for):
    response = client_for(trial.crm).post(
        f"/api/v1/studies/{trial.study_a.pk}/consent-versions",
        {"protocol_version_id": 999, "label": "2.0", "language": "en", "effective_on": "2025-06-01"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["protocol_version_id"]


def test_signed_consent_version_keeps_its_date(trial, client_for, participant):
    response = client_for(trial.crm).patch(
        f"/api/v1/consent-versions/{trial.v1.pk}",
        {"effective_on": "2024-01-01", "reason": "r", "version": 1},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["effective_on"]


def test_coordinator_may_not_add_consent_versions(trial, cora):
    response = cora.post(
        f"/api/v1/studies/{trial.study_a.pk}/consent-versions",
        {
            "protocol_version_id": trial.protocol_a.pk,
            "label": "2.0",
            "language": "en",
            "effective_on": "2025-06-01",
        },
        content_type=JSON,
    )
    assert response.status_code == 403
    assert not ConsentVersion.objects.filter(study=trial.study_a, label="2.0").exists()


# --- diversity plan ---------------------------------------------------------------------------


def test_diversity_plan_crud(trial, client_for):
    crm = client_for(trial.crm)
    path = f"/api/v1/studies/{trial.study_a.pk}/diversity-targets"
    created = crm.post(
        path, {"dimension": "race", "group": "asian", "target_percent": 12.5}, content_type=JSON
    )
    assert created.status_code == 201 and created.json()["target_percent"] == "12.5"
    target = f"/api/v1/diversity-targets/{created.json()['id']}"
    assert (
        crm.patch(target, {"target_percent": 15, "reason": "r", "version": 1}, content_type=JSON).status_code
        == 200
    )
    assert crm.delete(f"{target}?reason=revised").status_code == 422  # no version
    assert crm.delete(f"{target}?reason=revised&version=2").status_code == 204
    bad = crm.post(path, {"dimension": "sex", "group": "women", "target_percent": 50}, content_type=JSON)
    assert bad.status_code == 422 and fields(bad) == ["group"]


def test_sponsor_viewer_reads_the_plan_but_may_not_change_it(trial, client_for):
    make_diversity_target(trial.study_a, by=trial.crm)
    sam = client_for(trial.sponsor_viewer)
    assert sam.get(f"/api/v1/studies/{trial.study_a.pk}/diversity-targets").json()["count"] == 1
    response = sam.post(
        f"/api/v1/studies/{trial.study_a.pk}/diversity-targets",
        {"dimension": "sex", "group": "male", "target_percent": 40},
        content_type=JSON,
    )
    assert response.status_code == 403
