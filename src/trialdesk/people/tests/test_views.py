"""The Staff tab, a site's staff page and the forms: delegate, sign with a password, end, disclose."""

import datetime as dt

import pytest

from trialdesk.core.roles import Role
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.tests.factories import PASSWORD, approve_protocol, delegate, make_staff, train


@pytest.fixture
def staff(world):
    approve_protocol(world.protocol_a, by=world.admin)
    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role=Role.INVESTIGATOR)
    crc = make_staff(world.site_a1, "crc_chris", by=world.admin)
    train(pi, world.site_a1, by=world.crm, protocol=world.protocol_a)
    train(crc, world.site_a1, by=world.crm, protocol=None)  # GCP and system, not the protocol
    return pi, crc


def test_staff_tab_shows_the_log_training_flags_and_overdue_disclosures(world, staff, client_for, today):
    pi, crc = staff
    delegate(
        world.site_a1, pi, ["ae_assessment"], by=world.crm, signer=pi,
        study_role="principal_investigator", starts_on=today - dt.timedelta(days=20),
    )  # fmt: skip
    body = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=staff").content.decode()
    assert "Assess adverse events (causality)" in body and "delegation approved" in body
    assert "Crc Chris (not trained on protocol v1.0)" in body
    assert "overdue by 20 days" in body


def test_site_staff_page_shows_one_site(world, staff, client_for):
    response = client_for(world.monitor).get(f"/study-sites/{world.site_a1.pk}/staff/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Staff of site 101" in body and "Site 102" not in body
    assert client_for(world.coordinator).get(f"/study-sites/{world.site_a1.pk}/staff/").status_code == 404


def test_delegating_to_untrained_staff_shows_the_error_on_the_staff_member(world, staff, client_for, today):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/study-sites/{world.site_a1.pk}/delegation/new/",
        {"staff_member": crc.pk, "study_role": "study_coordinator", "tasks": ["consent"],
         "starts_on": today.isoformat()},
    )  # fmt: skip
    assert response.status_code == 200
    assert "not trained on protocol v1.0" in response.context["form"].errors["staff_member"][0]
    assert not DelegationEntry.objects.exists()


def test_sign_page_refuses_a_wrong_password_and_signs_with_the_right_one(world, staff, client_for):
    pi, _ = staff
    entry = delegate(world.site_a1, pi, ["consent"], by=world.crm)
    url = f"/delegation-entries/{entry.pk}/sign/"
    assert client_for(world.crm).get(url).status_code == 403
    wrong = client_for(pi).post(url, {"password": "nope"})
    assert "password" in wrong.context["form"].errors
    entry.refresh_from_db()
    assert entry.signed_at is None
    assert client_for(pi).post(url, {"password": PASSWORD}).status_code == 302
    entry.refresh_from_db()
    assert entry.signed_by == pi and entry.meaning == "delegation approved"


def test_end_page_ends_the_delegation(world, staff, client_for, today):
    pi, _ = staff
    entry = delegate(world.site_a1, pi, ["consent"], by=world.crm, signer=pi)
    response = client_for(world.crm).post(
        f"/delegation-entries/{entry.pk}/end/",
        {"ends_on": today.isoformat(), "reason": "left the site", "version": entry.version},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.ends_on == today


def test_training_form_files_a_protocol_training(world, staff, client_for, today):
    _, crc = staff
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/training-records/new/",
        {"staff_member": crc.pk, "kind": "protocol", "protocol_version": world.protocol_a.pk,
         "study_site": world.site_a1.pk, "completed_on": today.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(staff_member=crc, kind="protocol").exists()


def test_disclosure_form_records_interests_shown_to_the_crm_only(world, staff, client_for, today):
    pi, _ = staff
    response = client_for(world.crm).post(
        f"/study-sites/{world.site_a1.pk}/financial-disclosures/new/",
        {"investigator": pi.pk, "occasion": "initial", "disclosed_on": today.isoformat(),
         "has_interests": "on",
         "interest_1_kind": "equity_interest", "interest_1_amount_band": "over_100k",
         "interest_1_publicly_traded": "yes", "interest_1_description": "Acme shares"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    assert FinancialDisclosure.objects.get().interests[0] == {
        "kind": "equity_interest",
        "amount_band": "over_100k",
        "description": "Acme shares",
        "publicly_traded": True,
    }
    tab = f"/studies/{world.study_a.pk}/?tab=staff"
    assert "Acme shares" in client_for(world.crm).get(tab).content.decode()
    assert "Acme shares" not in client_for(world.monitor).get(tab).content.decode()


def test_a_half_filled_interest_is_refused(world, staff, client_for, today):
    pi, _ = staff
    response = client_for(world.crm).post(
        f"/study-sites/{world.site_a1.pk}/financial-disclosures/new/",
        {"investigator": pi.pk, "occasion": "initial", "disclosed_on": today.isoformat(),
         "has_interests": "on",
         "interest_1_kind": "equity_interest"},
    )  # fmt: skip
    assert "interest_1_kind" in response.context["form"].errors
    assert not FinancialDisclosure.objects.exists()


def test_read_only_roles_get_403_on_the_forms(world, staff, client_for):
    for url in (
        f"/study-sites/{world.site_a1.pk}/delegation/new/",
        f"/studies/{world.study_a.pk}/training-records/new/",
        f"/study-sites/{world.site_a1.pk}/financial-disclosures/new/",
    ):
        assert client_for(world.auditor).get(url).status_code == 403


def test_site_page_staff_panel_flags_untrained_staff(world, staff, client_for):
    html = client_for(world.crm).get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert "Crc Chris: not trained on protocol v1.0" in html
    assert "does not keep its delegation log" in html
