"""The regulatory API read as sentences: committees, authorities, submissions and decisions, approvals,
activation checklists, amendments and their checklists."""

import datetime as dt

import pytest

from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.regulatory.models import Submission
from trialdesk.regulatory.tests.factories import approve_at_site, make_approved_amendment, make_committee
from trialdesk.subjects.tests.factories import make_enrolled, make_study_ready

JSON = "application/json"


@pytest.fixture
def crm(world, client_for):
    return client_for(world.crm)


@pytest.fixture
def committee(world):
    return make_committee(by=world.admin)


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# Committees and authorities ---------------------------------------------------------------------------


def test_the_crm_adds_and_changes_a_committee(world, crm):
    created = crm.post(
        "/api/v1/ethics-committees",
        {"name": "WIRB", "country": "US", "committee_type": "central_irb", "continuing_review_months": 12},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    url = f"/api/v1/ethics-committees/{created.json()['id']}"
    read = crm.get(url)
    changed = crm.patch(
        url, {"safety_report_days": 10, "reason": "New policy"}, content_type=JSON, HTTP_IF_MATCH=read["ETag"]
    )
    assert changed.status_code == 200 and changed.json()["safety_report_days"] == 10


def test_a_committee_with_an_unknown_country_is_refused_naming_country(world, crm):
    response = crm.post(
        "/api/v1/ethics-committees",
        {"name": "Nowhere EC", "country": "QQ", "committee_type": "local_ec"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["country"]


def test_site_staff_may_not_add_committees(world, client_for):
    with nothing_written():
        response = client_for(world.coordinator).post(
            "/api/v1/ethics-committees",
            {"name": "X", "country": "DE", "committee_type": "local_ec"},
            content_type=JSON,
        )
    assert response.status_code == 403


def test_authorities_ship_with_trialdesk(world, client_for):
    response = client_for(world.outsider).get("/api/v1/regulatory-authorities?limit=100")
    codes = {a["code"] for a in response.json()["items"]}
    assert {"FDA", "EMA", "BfArM", "MHRA", "HC", "PMDA", "CDSCO", "TGA", "ANVISA", "NMPA"} <= codes


# Submissions ------------------------------------------------------------------------------------------


def submission_body(world, committee, **changes) -> dict:
    body = {
        "kind": "initial",
        "submitted_on": "2025-01-10",
        "study_site_id": world.site_a1.pk,
        "ethics_committee_id": committee.pk,
        "documents_included": ["Protocol v1.0", "ICF v1.0 (de)"],
        "reason": "initial submission",
    }
    body.update(changes)
    return body


def test_the_crm_records_a_submission_and_its_approval(world, crm, committee):
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/submissions",
        submission_body(world, committee),
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    assert created.json()["documents_included"] == ["Protocol v1.0", "ICF v1.0 (de)"]
    assert created.json()["country"] == "DE"
    decided = crm.post(
        f"/api/v1/submissions/{created.json()['id']}/decision",
        {"outcome": "approved", "decided_on": "2025-01-20", "reason": "approval letter", "version": 1},
        content_type=JSON,
    )
    assert decided.status_code == 200 and decided.json()["outcome"] == "approved"
    approvals = crm.get(f"/api/v1/studies/{world.study_a.pk}/ethics-approvals").json()["items"]
    a1 = next(a for a in approvals if a["site"] == "101")
    # Berlin: an authorisation under the EU CTR has no expiry, whatever the committee's 12-month period.
    assert a1["approved_on"] == "2025-01-20" and a1["valid_until"] is None
    assert a1["enrollment_block"] is None and a1["countdown"] == "no expiry"
    assert "Regulation (EU) No 536/2014" in a1["basis_citation"]


def test_a_decision_records_the_irbs_continuing_review_determination(world, crm):
    irb = make_committee("Tokyo IRB", by=world.admin, country="JP")
    created = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/submissions",
        {**submission_body(world, irb), "study_site_id": world.site_a2.pk},
        content_type=JSON,
    )
    decided = crm.post(
        f"/api/v1/submissions/{created.json()['id']}/decision",
        {"outcome": "approved", "decided_on": "2025-01-20", "regulated_by": "fda",
         "continuing_review_exemption": "expedited", "reason": "letter", "version": 1},
        content_type=JSON,
    )  # fmt: skip
    assert decided.status_code == 422 and fields(decided) == ["continuing_review_exemption"]
    approvals = crm.get(f"/api/v1/studies/{world.study_a.pk}/ethics-approvals").json()["items"]
    assert next(a for a in approvals if a["site"] == "102")["approved_on"] is None  # nothing saved


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "approved", "decided_on": "2025-01-01"}, "decided_on"),  # approval before submission
        ({"outcome": "approved", "decided_on": "2025-01-20", "expires_on": "2025-01-19"}, "expires_on"),
        ({"kind": "amendment"}, "protocol_version_id"),
        ({"ethics_committee_id": None}, "ethics_committee_id"),
        ({"study_site_id": 999999}, "study_site_id"),
        ({"kind": "party"}, "kind"),
    ],
)
def test_bad_submissions_are_refused_naming_the_field_and_nothing_is_saved(
    world, crm, committee, changes, field
):
    response = crm.post(
        f"/api/v1/studies/{world.study_a.pk}/submissions",
        submission_body(world, committee, **changes),
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == [field], response.json()
    assert not Submission.objects.exists()


def test_a_site_coordinator_sees_only_the_submissions_of_their_site_and_the_study(
    world, client_for, committee
):
    approve_at_site(world.site_b1, committee, by=world.admin)
    approve_at_site(world.site_a1, committee, by=world.admin)
    response = client_for(world.coordinator).get(f"/api/v1/studies/{world.study_b.pk}/submissions")
    assert [s["study_site_id"] for s in response.json()["items"]] == [world.site_b1.pk]
    assert (
        client_for(world.coordinator).get(f"/api/v1/studies/{world.study_a.pk}/submissions").status_code
        == 404
    )


def test_the_decision_is_audited(world, crm, committee):
    submission = approve_at_site(world.site_a1, committee, by=world.crm)
    response = crm.post(
        f"/api/v1/submissions/{submission.pk}/decision",
        {
            "outcome": "approved_with_conditions",
            "decided_on": "2025-01-15",
            "conditions": "Annual report",
            "reason": "conditions added",
            "version": 1,
        },
        content_type=JSON,
    )
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="submission.decided", reason="conditions added").exists()


def test_activation_checklist_of_a_german_site_follows_the_eu_rules(world, crm):
    response = crm.get(f"/api/v1/study-sites/{world.site_a1.pk}/activation-checklist")
    labels = [i["label"] for i in response.json()["items"]]
    assert any("CTIS application Part I" in label for label in labels)
    assert all(i["citation"] for i in response.json()["items"])


# Amendments -------------------------------------------------------------------------------------------


@pytest.fixture
def amendment_world(world):
    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    make_enrolled(world.site_a1, "S-1", by=world.admin, version=old)
    make_enrolled(world.site_a2, "S-2", by=world.admin, version=old)
    return make_approved_amendment(world.study_a, by=world.admin)


def test_the_crm_starts_an_amendment_and_every_site_gets_its_checklist(world, crm, amendment_world):
    response = crm.post(
        f"/api/v1/protocol-versions/{amendment_world.pk}/amendment",
        {"changes_schedule": True, "reason": "sponsor approved v2.0"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["site"] for s in body["sites"]] == ["101", "102"]
    assert body["sites_without_ethics_approval"] == ["101", "102"]
    assert [s["reconsent_pending_count"] for s in body["sites"]] == [1, 1]
    again = crm.post(f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON)
    assert again.status_code == 422 and fields(again) == ["protocol_version"]


def test_a_draft_protocol_version_is_not_implemented(world, crm):
    response = crm.post(f"/api/v1/protocol-versions/{world.protocol_a.pk}/amendment", {}, content_type=JSON)
    assert response.status_code == 422 and fields(response) == ["protocol_version"]


def test_sponsor_viewers_see_counts_but_no_participant_numbers(world, client_for, amendment_world):
    client_for(world.crm).post(
        f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON
    )
    crm_view = client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/amendments").json()["items"][0]
    viewer = client_for(world.sponsor_viewer).get(f"/api/v1/studies/{world.study_a.pk}/amendments").json()
    site = viewer["items"][0]["sites"][0]
    assert crm_view["sites"][0]["reconsent_pending"] and site["reconsent_pending"] == []
    assert site["reconsent_pending_count"] == 1


def test_the_monitor_of_a1_sees_only_a1s_checklist(world, client_for, amendment_world):
    client_for(world.crm).post(
        f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON
    )
    body = client_for(world.monitor).get(f"/api/v1/studies/{world.study_a.pk}/amendments").json()
    assert [s["site"] for s in body["items"][0]["sites"]] == ["101"]


def test_ticking_an_item_advances_the_checklist(world, crm, amendment_world, committee):
    started = crm.post(
        f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON
    ).json()
    url = f"/api/v1/amendments/{started['id']}"
    ticked = crm.post(
        f"{url}/tasks",
        {"study_site_id": world.site_a2.pk, "item": "authority_submitted", "done_on": "2025-04-20"},
        content_type=JSON,
    )
    assert ticked.status_code == 201, ticked.json()
    tokyo = crm.get(url).json()["sites"][1]
    states = {i["item"]: i["state"] for i in tokyo["items"]}
    assert states["authority_submission"] == "done" and states["ec_approval"] == "blocked"
    refused = crm.post(
        f"{url}/tasks",
        {"study_site_id": world.site_a2.pk, "item": "authority_submitted", "done_on": "2025-04-21"},
        content_type=JSON,
    )
    assert refused.status_code == 422 and fields(refused) == ["item"]
    approve_at_site(
        world.site_a1,
        committee,
        by=world.admin,
        kind="amendment",
        protocol_version=amendment_world,
        submitted_on=dt.date(2025, 4, 20),
        decided_on=dt.date(2025, 5, 2),
    )
    body = crm.get(url).json()
    assert body["sites_without_ethics_approval"] == ["102"]


def test_ticking_a_site_out_of_scope_names_the_site(world, client_for, amendment_world):
    started = (
        client_for(world.crm)
        .post(f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON)
        .json()
    )
    response = client_for(world.crm).post(
        f"/api/v1/amendments/{started['id']}/tasks",
        {"study_site_id": world.site_b1.pk, "item": "ec_submitted", "done_on": "2025-04-20"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["study_site_id"]


def test_recording_deviations_with_nothing_to_record_answers_an_empty_list(world, crm, amendment_world):
    started = crm.post(
        f"/api/v1/protocol-versions/{amendment_world.pk}/amendment", {}, content_type=JSON
    ).json()
    response = crm.post(f"/api/v1/amendments/{started['id']}/deviations")
    assert response.status_code == 201 and response.json() == []
