"""The people API read as sentences: training, the delegation log with its signature, disclosures."""

import datetime as dt

import pytest

from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.people.models import DelegationEntry, FinancialDisclosure
from trialdesk.people.tests.factories import PASSWORD, approve_protocol, delegate, make_staff, train

JSON = "application/json"


@pytest.fixture
def staff(world):
    approve_protocol(world.protocol_a, by=world.admin)
    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role=Role.INVESTIGATOR)
    crc = make_staff(world.site_a1, "crc_chris", by=world.admin)
    train(pi, world.site_a1, by=world.crm, protocol=world.protocol_a)
    return pi, crc


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_the_crm_files_training_and_the_monitor_reads_it(world, staff, client_for):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/api/v1/studies/{world.study_a.pk}/training-records",
        {
            "staff_member_id": crc.pk,
            "kind": "protocol",
            "protocol_version_id": world.protocol_a.pk,
            "study_site_id": world.site_a1.pk,
            "completed_on": "2025-03-01",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    listed = client_for(world.monitor).get(
        f"/api/v1/studies/{world.study_a.pk}/training-records?staff_member_id={crc.pk}"
    )
    assert [r["kind"] for r in listed.json()["items"]] == ["protocol"]


def test_gcp_without_expiry_is_refused_naming_the_field(world, staff, client_for):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/api/v1/studies/{world.study_a.pk}/training-records",
        {"staff_member_id": crc.pk, "kind": "gcp", "completed_on": "2025-03-01"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["expires_on"]


def test_training_for_someone_outside_the_study_names_staff_member_id(world, staff, client_for):
    response = client_for(world.crm).post(
        f"/api/v1/studies/{world.study_a.pk}/training-records",
        {"staff_member_id": world.coordinator.pk, "kind": "system", "completed_on": "2025-03-01"},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["staff_member_id"]


def test_training_flags_list_the_untrained_staff(world, staff, client_for):
    _, crc = staff
    response = client_for(world.monitor).get(f"/api/v1/study-sites/{world.site_a1.pk}/training-flags")
    assert response.status_code == 200
    [flag] = response.json()["items"]
    assert flag["staff_member_id"] == crc.pk and "no GCP certificate" in flag["training_gaps"]


def test_delegation_to_untrained_staff_is_refused_naming_staff_member_id(world, staff, client_for, today):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/api/v1/study-sites/{world.site_a1.pk}/delegation-entries",
        {"staff_member_id": crc.pk, "tasks": ["consent"], "starts_on": today.isoformat()},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["staff_member_id"]
    assert "no GCP certificate" in response.json()["errors"][0]["message"]
    assert not DelegationEntry.objects.exists()


def test_create_sign_and_end_a_delegation(world, staff, client_for, today):
    pi, crc = staff
    train(crc, world.site_a1, by=world.crm, protocol=world.protocol_a)
    created = client_for(crc).post(
        f"/api/v1/study-sites/{world.site_a1.pk}/delegation-entries",
        {"staff_member_id": crc.pk, "tasks": ["consent", "crf_entry"], "starts_on": today.isoformat()},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    entry = created.json()
    assert entry["in_force"] is False and entry["signed_by"] is None and entry["training_gaps"] == []
    url = f"/api/v1/delegation-entries/{entry['id']}"
    assert client_for(crc).post(f"{url}/sign", {"password": PASSWORD}, content_type=JSON).status_code == 403
    wrong = client_for(pi).post(f"{url}/sign", {"password": "guess"}, content_type=JSON)
    assert wrong.status_code == 422 and fields(wrong) == ["password"]
    assert DelegationEntry.objects.get().signed_at is None
    signed = client_for(pi).post(f"{url}/sign", {"password": PASSWORD}, content_type=JSON)
    assert signed.status_code == 200
    assert signed.json()["meaning"] == "delegation approved" and signed.json()["in_force"] is True
    assert signed.json()["signed_by"] == "Pi Paula"
    ended = client_for(world.crm).post(
        f"{url}/end", {"ends_on": today.isoformat(), "reason": "moved away", "version": 1}, content_type=JSON
    )
    assert ended.status_code == 409  # signing made it version 2
    ended = client_for(world.crm).post(
        f"{url}/end", {"ends_on": today.isoformat(), "reason": "moved away", "version": 2}, content_type=JSON
    )
    assert ended.status_code == 200 and ended.json()["ends_on"] == today.isoformat()
    actions = list(
        AuditEvent.objects.filter(object_type="people.delegationentry").values_list("action", flat=True)
    )
    assert actions == ["delegationentry.created", "delegationentry.signed", "delegationentry.ended"]


def test_unknown_task_is_refused_naming_tasks(world, staff, client_for, today):
    pi, _ = staff
    response = client_for(world.crm).post(
        f"/api/v1/study-sites/{world.site_a1.pk}/delegation-entries",
        {"staff_member_id": pi.pk, "tasks": ["surgery"], "starts_on": today.isoformat()},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["tasks.0"]


def test_interests_are_hidden_from_the_monitor_and_shown_to_the_crm(world, staff, client_for, today):
    pi, _ = staff
    created = client_for(world.crm).post(
        f"/api/v1/study-sites/{world.site_a1.pk}/financial-disclosures",
        {
            "investigator_id": pi.pk,
            "occasion": "initial",
            "disclosed_on": today.isoformat(),
            "has_interests": True,
            "interests": [
                {"kind": "equity_interest", "amount_band": "over_50k_to_100k", "publicly_traded": True}
            ],
        },
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/financial-disclosures/{created.json()['id']}"
    crm_view = client_for(world.crm).get(url).json()
    assert crm_view["interests"][0]["amount_band"] == "over_50k_to_100k" and crm_view["interests_visible"]
    # 21 CFR 54.2(b): equity in a publicly traded sponsor exceeding USD 50,000 is disclosed
    assert crm_view["reportable"] is True and crm_view["classification"][0]["citation"] == "21 CFR 54.2(b)"
    monitor_view = client_for(world.monitor).get(url).json()
    assert monitor_view["interests"] is None and monitor_view["has_interests"] is None
    assert monitor_view["classification"] is None and monitor_view["reportable"] is None
    assert client_for(pi).get(url).json()["interests_visible"] is True


def test_disclosure_from_a_coordinator_names_investigator_id(world, staff, client_for, today):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/api/v1/study-sites/{world.site_a1.pk}/financial-disclosures",
        {"investigator_id": crc.pk, "occasion": "initial", "disclosed_on": today.isoformat()},
        content_type=JSON,
    )
    assert response.status_code == 422 and fields(response) == ["investigator_id"]
    assert not FinancialDisclosure.objects.exists()


def test_overdue_disclosures_are_listed(world, staff, client_for, today):
    pi, crc = staff
    train(crc, world.site_a1, by=world.crm, protocol=world.protocol_a)
    delegate(
        world.site_a1, crc, ["eligibility"], by=world.crm, signer=pi, study_role="sub_investigator",
        starts_on=today - dt.timedelta(days=12),
    )  # fmt: skip
    response = client_for(world.crm).get(f"/api/v1/studies/{world.study_a.pk}/financial-disclosures/due")
    assert response.status_code == 200
    rows = {(r["investigator_id"], r["status"], r["days_overdue"]) for r in response.json()["items"]}
    assert (crc.pk, "overdue", 12) in rows
