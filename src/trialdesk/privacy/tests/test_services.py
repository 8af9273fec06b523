"""The register, transfers, legal holds, the purge, data-subject requests and the person's export, through
the services (each write audited through core.records)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trialdesk.core.models import ApiToken, AuditEvent, User
from trialdesk.core.services import create_api_token, deactivate_user
from trialdesk.privacy import access, register
from trialdesk.privacy.models import DataSubjectRequest, PurgeRun
from trialdesk.privacy.services import entries, purge, requests


def _settings(world, by, country="US"):
    return entries.save_settings(study=world.study_a, values={"sponsor_country": country}, by=by)


def test_register_lists_the_transfers_to_the_sponsors_country_flagged_without_safeguard(world, dpo):
    _settings(world, dpo, "US")
    transfers = {(t["from"], t["to"]): t for t in register.study_register(world.study_a)["transfers"]}
    # Study A has a site in Germany (A1) and one in Japan (A2); the study team works from the US.
    assert transfers[("DE", "US")]["flagged"] and transfers[("DE", "US")]["safeguard"] is None
    assert transfers[("JP", "US")]["flagged"]
    entries.create_safeguard(
        study=world.study_a,
        values={"from_country": "DE", "to_country": "US", "safeguard": "standard_contractual_clauses"},
        by=dpo,
    )
    transfers = {(t["from"], t["to"]): t for t in register.study_register(world.study_a)["transfers"]}
    assert transfers[("DE", "US")] | {"seen_by": []} == {
        "from": "DE",
        "to": "US",
        "safeguard": "standard_contractual_clauses",
        "flagged": False,
        "why": "Recorded by the study.",
        "seen_by": [],
    }


def test_a_monitor_of_sites_in_two_countries_sees_each_from_the_other(world, dpo):
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role

    assign_role(user=world.monitor, role=Role.MONITOR, study_site=world.site_a2, by=world.admin)
    transfers = {(t["from"], t["to"]): t for t in register.study_register(world.study_a)["transfers"]}
    assert transfers[("DE", "JP")]["safeguard"] == "adequacy_decision"
    assert "2019/419" in transfers[("DE", "JP")]["why"]
    assert transfers[("JP", "DE")]["flagged"]  # Trialdesk holds no rules for data leaving Japan
    assert "monitor" in transfers[("DE", "JP")]["seen_by"]


def test_register_has_the_issue_fields_and_says_what_is_missing(world):
    document = register.study_register(world.study_a)
    assert {"study", "categories", "recipients", "transfers", "retention"} <= set(document)
    assert document["study"] == "ONC-A"
    assert document["problems"]  # no sponsor country yet
    participants = next(c for c in document["categories"] if c["category"] == "participants")
    assert participants["problems"] == ["No purpose and legal basis recorded."]
    roles = {r["role"]: r for r in document["recipients"]}
    assert roles["sponsor_viewer"]["sees"] == ["staff"] and roles["crm"]["sees"] == ["participants", "staff"]
    assert {row["record"] for row in document["retention"]} >= {"trial_master_file", "staff_contact"}


def test_a_purpose_for_health_data_without_an_article_9_condition_is_refused(world, dpo):
    with pytest.raises(ValidationError) as refused:
        entries.create_purpose(
            study=world.study_a,
            values={"category": "participants", "purpose": "Research", "legal_basis": "6_1_e"},
            by=dpo,
        )
    assert "special_condition" in refused.value.message_dict


def test_read_only_roles_may_not_keep_privacy_records(world):
    for person in (world.auditor, world.sponsor_viewer, world.monitor):
        with pytest.raises(PermissionDenied):
            _settings(world, person)


def test_the_dpo_is_subject_blind_and_reads_the_register(world, dpo):
    from trialdesk.core.permissions import can_see_subject_level
    from trialdesk.privacy.permissions import can_keep_privacy, can_read_privacy

    assert not can_see_subject_level(dpo, world.study_a.pk)
    assert can_read_privacy(dpo, world.study_a.pk) and can_keep_privacy(dpo, world.study_a.pk)
    assert not can_read_privacy(dpo, world.study_b.pk)


# Purge ------------------------------------------------------------------------------------------------


def _leaver(world, *, closed_days_ago: int):
    """The monitor of A1 leaves: their account is closed `closed_days_ago` days ago."""
    create_api_token(user=world.monitor, name="export", by=world.monitor)
    deactivate_user(user=world.monitor, by=world.admin, reason="left the CRO")
    return timezone.localdate() + dt.timedelta(days=closed_days_ago)


def test_purge_anonymises_the_contact_details_of_staff_gone_two_years_and_audits_no_value(world):
    today = _leaver(world, closed_days_ago=2 * 366)
    report = purge.purge(today=today, by=None)
    monitor = User.objects.get(pk=world.monitor.pk)
    assert monitor.email == "" and not monitor.has_usable_password()
    assert not ApiToken.objects.filter(user=monitor).exists()
    assert monitor.first_name  # their study has not ended: the name stays (EU CTR Art 58)
    assert [row["record"] for row in report.purged] == ["core.user"]
    event = AuditEvent.objects.filter(action="user.purged").get()
    assert "monitor_mia@example.org" not in str(event.changes)
    assert event.changes["purged"][1] == ["email", "password", "api_tokens"]
    assert PurgeRun.objects.get().purged == report.purged
    assert purge.purge(today=today).purged == []  # nothing left to purge


def test_purge_dry_run_changes_nothing(world):
    today = _leaver(world, closed_days_ago=800)
    events = AuditEvent.objects.count()
    report = purge.purge(today=today, dry_run=True)
    assert report.purged and User.objects.get(pk=world.monitor.pk).email
    assert AuditEvent.objects.count() == events and not PurgeRun.objects.exists()


def test_purge_leaves_accounts_closed_less_than_two_years_ago(world):
    today = _leaver(world, closed_days_ago=700)
    assert purge.purge(today=today).purged == []


def test_purge_refuses_records_under_a_legal_hold(world, dpo):
    today = _leaver(world, closed_days_ago=800)
    entries.place_hold(
        study=world.study_a, values={"reason": "Litigation", "placed_on": dt.date(2025, 1, 1)}, by=dpo
    )
    report = purge.purge(today=today)
    assert report.purged == [] and "legal hold" in report.refused[0]["why"]
    assert User.objects.get(pk=world.monitor.pk).email
    with pytest.raises(purge.HeldRecords):
        purge.purge(today=today, only_user=world.monitor)
    assert User.objects.get(pk=world.monitor.pk).email  # nothing changed


def test_purge_anonymises_names_once_every_study_is_past_its_retention(world, dpo):
    today = _leaver(world, closed_days_ago=800)
    entries.save_settings(
        study=world.study_a, values={"sponsor_country": "DE", "trial_ended_on": dt.date(1999, 1, 1)}, by=dpo
    )
    purge.purge(today=today)
    monitor = User.objects.get(pk=world.monitor.pk)
    assert (monitor.first_name, monitor.username) == ("", f"former-{monitor.pk}")


def test_purge_lists_trials_past_their_tmf_period_and_deletes_none_of_their_records(world, dpo):
    entries.save_settings(
        study=world.study_a, values={"sponsor_country": "DE", "trial_ended_on": dt.date(1990, 1, 1)}, by=dpo
    )
    report = purge.purge(today=timezone.localdate())
    assert [row["study"] for row in report.due] == ["ONC-A"]


# Requests and the person's export ---------------------------------------------------------------------


def _access_request(world, by, received=dt.date(2026, 1, 31)):
    values = {"kind": "access", "subject_kind": "staff", "person": world.monitor, "received_on": received}
    return requests.log_request(study=world.study_a, values=values, by=by)


def test_a_request_is_due_one_month_after_receipt_and_closes_once(world, dpo):
    row = _access_request(world, dpo)
    assert row.due_on == dt.date(2026, 2, 28) and row.status == "open"
    row = requests.extend_request(request=row, by=dpo, reason="Large volume of records")
    assert row.due_on == dt.date(2026, 4, 30)
    row = requests.close_request(
        request=row, status="done", closed_on=dt.date(2026, 2, 10), outcome="Export sent", by=dpo
    )
    assert row.status == "done"
    with pytest.raises(ValidationError):
        requests.close_request(
            request=row, status="done", closed_on=dt.date(2026, 2, 11), outcome="x", by=dpo
        )
    actions = list(
        AuditEvent.objects.filter(object_type="privacy.datasubjectrequest").values_list("action", flat=True)
    )
    assert actions == [
        "datasubjectrequest.created",
        "datasubjectrequest.updated",
        "datasubjectrequest.closed",
    ]


def test_a_candidates_request_takes_a_reference_never_an_account(world, dpo):
    with pytest.raises(ValidationError) as refused:
        requests.log_request(
            study=world.study_a,
            values={"kind": "erasure", "subject_kind": "candidate", "received_on": dt.date(2026, 1, 5)},
            by=dpo,
        )
    assert "requester_reference" in refused.value.message_dict


def test_a_request_about_someone_not_on_the_study_is_refused(world, dpo):
    values = {
        "kind": "access",
        "subject_kind": "staff",
        "person": world.coordinator,
        "received_on": dt.date(2026, 1, 5),
    }
    with pytest.raises(ValidationError) as refused:
        requests.log_request(study=world.study_a, values=values, by=dpo)
    assert "person" in refused.value.message_dict
    assert not DataSubjectRequest.objects.exists()


def test_the_export_holds_the_persons_records_and_says_what_erasure_can_remove(world, dpo):
    document = access.person_export(world.monitor)
    assert document["account"]["username"] == "monitor_mia"
    assert [row["role"] for row in document["roles"]] == ["CRA / monitor"]
    erasure = {line["data"]: line for line in document["erasure"]}
    assert erasure["e-mail address, password, API tokens"]["decision"] == "keep"  # the account is open
    trial = erasure["name, roles, training, delegation, disclosures and the changes made"]
    assert trial["decision"] == "keep" and "ONC-A, which has not ended yet" in trial["why"]
    pdf = access.export_pdf(document)
    assert pdf.startswith(b"%PDF") and b"monitor_mia" in pdf


def test_the_export_names_no_participant_the_person_changed(world):
    from tests.factories import make_participant

    make_participant(world.site_a1, "101-777", by=world.monitor)
    document = access.person_export(world.monitor)
    assert document["changes_made"]["count"] == 1
    assert "101-777" not in str(document)


def test_the_export_hides_financial_interests_from_a_dpo_but_not_from_the_command_line(world, dpo):
    from trialdesk.people.services import record_disclosure
    from trialdesk.people.tests.factories import make_staff
    from trialdesk.people.tests.test_permissions import COLLECTED_ON, INTERESTS

    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role="investigator")
    record_disclosure(
        study_site=world.site_a1,
        investigator=pi,
        occasion="initial",
        disclosed_on=COLLECTED_ON,
        has_interests=True,
        interests=INTERESTS,
        by=world.crm,
    )
    assert access.person_export(pi, reader=dpo)["disclosures"][0]["interests"] == access.HIDDEN_INTERESTS
    assert access.person_export(pi, reader=world.crm)["disclosures"][0]["interests"] == INTERESTS
    assert access.person_export(pi)["disclosures"][0]["interests"] == INTERESTS


def _candidate_pool(world):
    from tests.factories import make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role
    from trialdesk.recruitment import services as recruitment
    from trialdesk.recruitment.tests.factories import make_pool

    clara = make_user("coordinator_clara")
    assign_role(user=clara, role=Role.COORDINATOR, study_site=world.site_a1, by=world.admin)
    recruitment.set_retention(study=world.study_a, retention_days=30, by=world.crm)
    return make_pool(world.site_a1, by=clara, keys=("C-1", "C-2"))


def test_purge_deletes_candidates_past_the_studys_pre_screening_period(world):
    from trialdesk.recruitment.models import Candidate, CandidateUpload

    upload = _candidate_pool(world)
    assert purge.purge(today=upload.uploaded_on + dt.timedelta(days=30)).purged == []
    report = purge.purge(today=upload.uploaded_on + dt.timedelta(days=31))
    assert report.purged == [
        {
            "record": "recruitment.candidateupload",
            "id": upload.pk,
            "what": ["candidates"],
            "rule": "candidate_pool",
        }
    ]
    assert not Candidate.objects.exists() and CandidateUpload.objects.get().purged_on is not None
    register_row = next(
        r for r in register.study_register(world.study_a)["retention"] if r["record"] == "candidate_pool"
    )
    assert register_row["period"] == "30 days after the candidates' upload"


def test_purge_keeps_candidates_of_a_study_under_a_legal_hold(world, dpo):
    from trialdesk.recruitment.models import Candidate

    upload = _candidate_pool(world)
    entries.place_hold(
        study=world.study_a, values={"reason": "Audit", "placed_on": dt.date(2025, 1, 1)}, by=dpo
    )
    report = purge.purge(today=upload.uploaded_on + dt.timedelta(days=365))
    assert report.purged == [] and report.refused[0]["record"] == "recruitment.candidateupload"
    assert Candidate.objects.count() == 2
    with pytest.raises(purge.HeldRecords):
        purge.purge(today=upload.uploaded_on + dt.timedelta(days=365), only_study=world.study_a)


def test_a_candidates_request_finds_their_pool_entry_and_hides_its_facts_from_the_dpo(world, dpo):
    upload = _candidate_pool(world)
    today = upload.uploaded_on
    full = access.candidate_export(world.study_a, "C-1", today=today)
    assert [row["key"] for row in full["candidates"]] == ["C-1"] and full["candidates"][0]["facts"]
    assert full["erasure"][0]["decision"] == "erase_now"
    for_dpo = access.candidate_export(world.study_a, "C-1", today=today, reader=dpo)
    assert for_dpo["candidates"] == [] and for_dpo["erasure"] == full["erasure"]
    assert access.candidate_export(world.study_a, "C-1", today=today, reader=world.crm)["candidates"]
    assert access.candidate_export(world.study_a, "NOBODY", today=today) == {"candidates": [], "erasure": []}
