"""The privacy API: the register and scan (hidden to those without a privacy role), the study's entries,
legal holds and the request log; bad input 4xx naming the field, nothing saved."""

import datetime as dt

from trialdesk.privacy.models import DataSubjectRequest, LegalHold, StudyPrivacy

API = "/api/v1"


def test_the_register_answers_the_issue_fields_to_the_dpo_and_hidden_to_others(world, dpo, client_for):
    url = f"{API}/privacy-registers/{world.study_a.pk}"
    body = client_for(dpo).get(url).json()
    assert body["hidden"] is False and body["study"] == "ONC-A"
    assert {"categories", "recipients", "transfers", "retention"} <= set(body)
    hidden = client_for(world.monitor).get(url).json()
    assert hidden["hidden"] is True and hidden["categories"] == [] and hidden["study"] is None
    assert client_for(world.coordinator).get(url).status_code == 404


def test_transfers_are_published_with_from_and_to(world, dpo, client_for):
    client = client_for(dpo)
    response = client.post(
        f"{API}/studies/{world.study_a.pk}/privacy-settings",
        {"sponsor_country": "US"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    transfers = client.get(f"{API}/privacy-registers/{world.study_a.pk}").json()["transfers"]
    assert {"from": "DE", "to": "US"}.items() <= transfers[0].items()


def test_settings_with_an_unknown_country_are_refused_naming_the_field(world, dpo, client_for):
    response = client_for(dpo).post(
        f"{API}/studies/{world.study_a.pk}/privacy-settings",
        {"sponsor_country": "XX"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sponsor_country"
    assert not StudyPrivacy.objects.exists()


def test_changing_settings_needs_the_version(world, dpo, client_for):
    client = client_for(dpo)
    url = f"{API}/studies/{world.study_a.pk}/privacy-settings"
    client.post(url, {"sponsor_country": "DE"}, content_type="application/json")
    response = client.post(url, {"sponsor_country": "FR", "reason": "moved"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "version"
    response = client.post(
        url, {"sponsor_country": "FR", "reason": "moved", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["sponsor_country"] == "FR"


def test_the_auditor_reads_but_may_not_write(world, client_for):
    client = client_for(world.auditor)
    assert client.get(f"{API}/privacy-registers/{world.study_a.pk}").json()["hidden"] is False
    response = client.post(
        f"{API}/studies/{world.study_a.pk}/legal-holds",
        {"reason": "Inspection", "placed_on": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 403 and not LegalHold.objects.exists()


def test_legal_holds_are_placed_listed_and_lifted(world, dpo, client_for):
    client = client_for(dpo)
    response = client.post(
        f"{API}/studies/{world.study_a.pk}/legal-holds",
        {"reason": "Litigation", "placed_on": "2025-01-01", "person_id": world.monitor.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    hold = response.json()
    listed = client.get(f"{API}/studies/{world.study_a.pk}/legal-holds").json()
    assert listed["count"] == 1
    response = client.post(
        f"{API}/legal-holds/{hold['id']}/lift",
        {"lifted_on": "2024-12-01", "reason": "settled"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "lifted_on"
    response = client.post(
        f"{API}/legal-holds/{hold['id']}/lift",
        {"lifted_on": "2025-02-01", "reason": "settled"},
        content_type="application/json",
    )
    assert response.json()["lifted_on"] == "2025-02-01"


def test_a_hold_on_someone_of_another_study_names_person_id(world, dpo, client_for):
    response = client_for(dpo).post(
        f"{API}/studies/{world.study_a.pk}/legal-holds",
        {"reason": "Litigation", "placed_on": "2025-01-01", "person_id": world.coordinator.pk},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "person_id"


def test_the_request_log_and_a_requests_export(world, dpo, client_for):
    client = client_for(dpo)
    response = client.post(
        f"{API}/studies/{world.study_a.pk}/data-subject-requests",
        {
            "kind": "access",
            "subject_kind": "staff",
            "person_id": world.monitor.pk,
            "received_on": "2026-01-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    row = response.json()
    assert row["due_on"] == "2026-02-28" and row["status"] == "open"
    export = client.get(f"{API}/data-subject-request-exports/{row['id']}").json()
    assert export["held"]["account"]["username"] == "monitor_mia"
    assert export["erasure"][0]["decision"] == "keep"
    assert client.get(f"{API}/studies/{world.study_a.pk}/data-subject-requests").json()["count"] == 1
    # The auditor reads the register but not the request log: it names people.
    assert client_for(world.auditor).get(f"{API}/data-subject-requests/{row['id']}").status_code == 404
    response = client.post(
        f"{API}/data-subject-requests/{row['id']}/close",
        {"status": "done", "closed_on": "2026-02-10", "outcome": "Export sent by secure mail."},
        content_type="application/json",
    )
    assert response.json()["status"] == "done"


def test_a_request_without_received_on_is_refused_and_nothing_is_logged(world, dpo, client_for):
    response = client_for(dpo).post(
        f"{API}/studies/{world.study_a.pk}/data-subject-requests",
        {"kind": "access", "subject_kind": "candidate", "requester_reference": "C-17"},
        content_type="application/json",
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "received_on"
    assert not DataSubjectRequest.objects.exists()


def test_the_scan_masks_and_hides_participants_records_from_the_dpo(world, dpo, client_for):
    from tests.factories import make_participant
    from trialdesk.visits.services.deviations import create_deviation

    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    create_deviation(
        study=world.study_a,
        by=world.admin,
        study_site=world.site_a1,
        participant=participant,
        category="procedure",
        description="Her phone +44 20 7946 0958 is on the diary.",
        occurred_on=dt.date(2025, 3, 1),
        identified_on=dt.date(2025, 3, 2),
    )
    url = f"{API}/identifier-scans/{world.study_a.pk}"
    crm = client_for(world.crm).get(url).json()
    assert [f["kind"] for f in crm["findings"]] == ["phone"] and "7946" not in crm["findings"][0]["excerpt"]
    blind = client_for(dpo).get(url).json()
    assert blind["findings"] == [] and blind["hidden_findings"] == 1
