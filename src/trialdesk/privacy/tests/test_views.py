"""The privacy pages: the Data protection tab, the overview, forms with their errors, the request log
(sorted, paged) and a request's page with its exports; 403 for readers who may not, 404 outside."""

import datetime as dt

from trialdesk.privacy.models import DataSubjectRequest, TransferSafeguard
from trialdesk.privacy.services import entries, requests


def test_the_tab_shows_the_register_with_a_flagged_transfer(world, dpo, client_for):
    entries.save_settings(study=world.study_a, values={"sponsor_country": "US"}, by=dpo)
    body = client_for(dpo).get(f"/studies/{world.study_a.pk}/?tab=privacy").content.decode()
    assert "Record of processing activities" in body and "none recorded" in body
    hidden = client_for(world.monitor).get(f"/studies/{world.study_a.pk}/?tab=privacy").content.decode()
    assert "Not shown to your role" in hidden


def test_the_overview_lists_the_readers_studies(world, dpo, client_for):
    requests.log_request(
        study=world.study_a,
        values={
            "kind": "access",
            "subject_kind": "staff",
            "person": world.monitor,
            "received_on": dt.date(2026, 1, 5),
        },
        by=dpo,
    )
    response = client_for(dpo).get("/privacy/")
    body = response.content.decode()
    assert "ONC-A" in body and "CARD-B" not in body
    assert [(row["study"].code, row["open_requests"]) for row in response.context["rows"]] == [("ONC-A", 1)]


def test_recording_a_safeguard_through_the_page(world, dpo, client_for):
    url = f"/studies/{world.study_a.pk}/privacy/safeguards/new/"
    client = client_for(dpo)
    response = client.post(url, {"from_country": "DE", "to_country": "DE", "safeguard": "other"})
    assert response.status_code == 200 and "A transfer goes to another country." in response.content.decode()
    response = client.post(
        url, {"from_country": "DE", "to_country": "US", "safeguard": "standard_contractual_clauses"}
    )
    assert response.status_code == 302 and TransferSafeguard.objects.count() == 1


def test_read_only_and_other_roles_are_refused_the_forms(world, client_for):
    url = f"/studies/{world.study_a.pk}/privacy/settings/"
    assert client_for(world.auditor).post(url, {"sponsor_country": "DE"}).status_code == 403
    assert client_for(world.monitor).get(url).status_code == 403
    assert client_for(world.coordinator).get(url).status_code == 404


def test_the_request_log_sorts_pages_and_logs(world, dpo, client_for):
    client = client_for(dpo)
    url = f"/studies/{world.study_a.pk}/privacy/requests/"
    response = client.post(url, {"kind": "access", "subject_kind": "candidate", "received_on": "2026-01-05"})
    assert "Give the candidate" in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "erasure",
            "subject_kind": "candidate",
            "requester_reference": "C-17",
            "received_on": "2026-01-05",
        },
    )
    assert response.status_code == 302
    body = client.get(url + "?sort=-received_on").content.decode()
    assert "candidate C-17" in body and "2026-02-05" in body
    assert client.get(url + "?sort=bogus&page=99").status_code == 200


def test_a_requests_page_closes_it_and_exports_the_person(world, dpo, client_for):
    row = requests.log_request(
        study=world.study_a,
        values={
            "kind": "access",
            "subject_kind": "staff",
            "person": world.monitor,
            "received_on": dt.date(2026, 1, 5),
        },
        by=dpo,
    )
    client = client_for(dpo)
    page = client.get(f"/data-subject-requests/{row.pk}/").content.decode()
    assert "must stay" in page and "Export (PDF)" in page
    assert client.get(f"/data-subject-requests/{row.pk}/export.pdf").content.startswith(b"%PDF")
    assert b"monitor_mia" in client.get(f"/data-subject-requests/{row.pk}/export.json").content
    response = client.post(
        f"/data-subject-requests/{row.pk}/close/", {"status": "done", "closed_on": "2026-01-20"}
    )
    assert "This field is required" in response.content.decode()
    response = client.post(
        f"/data-subject-requests/{row.pk}/close/",
        {"status": "done", "closed_on": "2026-01-20", "outcome": "Sent"},
    )
    assert response.status_code == 302 and DataSubjectRequest.objects.get().status == "done"


def test_the_dpos_my_work_lists_open_requests(world, dpo, client_for):
    requests.log_request(
        study=world.study_a,
        values={
            "kind": "access",
            "subject_kind": "staff",
            "person": world.monitor,
            "received_on": dt.date(2026, 1, 5),
        },
        by=dpo,
    )
    items = client_for(dpo).get("/api/v1/me/work").json()
    kinds = [item["kind"] for item in (items["items"] if isinstance(items, dict) else items)]
    assert "privacy_requests" in kinds
