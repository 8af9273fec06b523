"""Training records, the delegation log (create, sign, end), disclosures, and who may perform a task."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from trialdesk.core.models import AuditEvent
from trialdesk.core.roles import Role
from trialdesk.people import selectors, services
from trialdesk.people.management.commands.people import study_reminders
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.tests.factories import PASSWORD, approve_protocol, delegate, make_staff, train
from trialdesk.studies import services as study_services
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.tests.factories import make_screening_entry, make_study_ready


@pytest.fixture
def staff(world):
    """Site A1 with an approved protocol v1.0, its investigator (PI) and a coordinator, both trained."""
    approve_protocol(world.protocol_a, by=world.admin)
    pi = make_staff(world.site_a1, "pi_paula", by=world.admin, role=Role.INVESTIGATOR)
    crc = make_staff(world.site_a1, "crc_chris", by=world.admin)
    for person in (pi, crc):
        train(person, world.site_a1, by=world.crm, protocol=world.protocol_a)
    return pi, crc


def audit_count(record) -> int:
    return AuditEvent.objects.filter(object_type=record._meta.label_lower, object_id=str(record.pk)).count()


# Training ----------------------------------------------------------------------------------------------


def test_record_training_for_someone_without_a_role_on_the_study_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.record_training(
            study=world.study_a, staff_member=world.coordinator, kind="gcp",
            completed_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1), by=world.crm,
        )  # fmt: skip
    assert "staff_member" in error.value.message_dict
    assert not TrainingRecord.objects.exists()


def test_record_training_in_the_future_is_refused(world, staff, today):
    pi, _ = staff
    with pytest.raises(ValidationError) as error:
        services.record_training(
            study=world.study_a, study_site=world.site_a1, staff_member=pi, kind="system",
            completed_on=today + dt.timedelta(days=3), by=world.crm,
        )  # fmt: skip
    assert "completed_on" in error.value.message_dict


def test_gcp_without_expiry_and_protocol_of_another_study_are_refused(world, staff):
    pi, _ = staff
    with pytest.raises(ValidationError) as error:
        services.record_training(
            study=world.study_a, staff_member=pi, kind="gcp", completed_on=dt.date(2025, 1, 1), by=world.crm
        )
    assert "expires_on" in error.value.message_dict
    other = study_services.create_protocol_version(
        study=world.study_b, number="1.0", version_date=dt.date(2025, 1, 1), by=world.admin
    )
    with pytest.raises(ValidationError) as error:
        services.record_training(
            study=world.study_a, staff_member=pi, kind="protocol", protocol_version=other,
            completed_on=dt.date(2025, 1, 1), by=world.crm,
        )  # fmt: skip
    assert "protocol_version" in error.value.message_dict


def test_monitor_may_not_file_training_and_training_is_audited(world, staff, today):
    pi, _ = staff
    with pytest.raises(PermissionDenied):
        services.record_training(
            study=world.study_a, study_site=world.site_a1, staff_member=pi, kind="system",
            completed_on=today, by=world.monitor,
        )  # fmt: skip
    record = TrainingRecord.objects.filter(staff_member=pi).first()
    assert audit_count(record) == 1


# Delegation log ----------------------------------------------------------------------------------------


def test_delegation_to_someone_without_current_protocol_training_is_refused_and_nothing_saved(world, staff):
    newcomer = make_staff(world.site_a1, "new_nina", by=world.admin)
    train(newcomer, world.site_a1, by=world.crm, protocol=None)
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, newcomer, ["consent"], by=world.crm)
    assert "not trained on protocol v1.0" in error.value.message_dict["staff_member"][0]
    assert not DelegationEntry.objects.exists()


def test_delegation_with_expired_gcp_is_refused(world, staff, today):
    lapsed = make_staff(world.site_a1, "lapsed_leo", by=world.admin)
    train(
        lapsed, world.site_a1, by=world.crm, protocol=world.protocol_a, gcp_until=today - dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, lapsed, ["eligibility"], by=world.crm)
    assert "GCP certificate expired" in error.value.message_dict["staff_member"][0]


def test_data_entry_needs_system_training(world, staff):
    person = make_staff(world.site_a1, "paper_pat", by=world.admin)
    train(person, world.site_a1, by=world.crm, protocol=world.protocol_a, system=False)
    delegate(world.site_a1, person, ["eligibility"], by=world.crm)  # no system needed
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, person, ["crf_entry"], by=world.crm)
    assert "system training" in error.value.message_dict["staff_member"][0]


def test_delegation_to_someone_not_on_the_site_staff_is_refused(world, staff):
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, world.monitor, ["consent"], by=world.crm)
    assert "staff_member" in error.value.message_dict


def test_unknown_task_and_end_before_start_are_refused(world, staff, today):
    _, crc = staff
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, crc, ["surgery"], by=world.crm)
    assert "tasks" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        delegate(world.site_a1, crc, ["consent"], by=world.crm, ends_on=today - dt.timedelta(days=30))
    assert "ends_on" in error.value.message_dict


def test_wrong_password_signs_nothing(world, staff):
    pi, crc = staff
    entry = delegate(world.site_a1, crc, ["consent"], by=world.crm)
    with pytest.raises(ValidationError) as error:
        services.sign_delegation(entry=entry, password="not-it", by=pi)
    assert "password" in error.value.message_dict
    entry.refresh_from_db()
    assert entry.signed_at is None and entry.version == 1 and audit_count(entry) == 1


def test_only_the_sites_investigator_signs(world, staff):
    _, crc = staff
    entry = delegate(world.site_a1, crc, ["consent"], by=world.crm)
    for someone in (crc, world.crm, world.monitor):
        with pytest.raises(PermissionDenied):
            services.sign_delegation(entry=entry, password=PASSWORD, by=someone)


def test_investigator_signature_records_signer_time_and_meaning(world, staff):
    pi, crc = staff
    entry = delegate(world.site_a1, crc, ["consent", "crf_entry"], by=world.crm, signer=pi)
    assert entry.signed_by == pi and entry.meaning == "delegation approved" and entry.reauthenticated
    assert entry.signed_at <= timezone.now()
    event = AuditEvent.objects.filter(
        object_type="people.delegationentry", action="delegationentry.signed"
    ).get()
    assert event.actor == pi and event.reason == "delegation approved"
    with pytest.raises(ValidationError):
        services.sign_delegation(entry=entry, password=PASSWORD, by=pi)  # signed once only


def test_end_delegation_keeps_the_line(world, staff, today):
    pi, crc = staff
    entry = delegate(world.site_a1, crc, ["consent"], by=world.crm, signer=pi)
    with pytest.raises(ValidationError) as error:
        services.end_delegation(entry=entry, ends_on=None, by=world.crm, reason="left")
    assert "ends_on" in error.value.message_dict
    ended = services.end_delegation(entry=entry, ends_on=today - dt.timedelta(days=1), by=crc, reason="left")
    assert ended.ends_on == today - dt.timedelta(days=1) and ended.signed_by == pi
    assert not selectors.may_perform(crc, world.site_a1, "consent")


# may_perform and training gaps -------------------------------------------------------------------------


def test_may_perform_without_a_log_lets_site_staff_work(world, staff):
    _, crc = staff
    assert selectors.may_perform(crc, world.site_a1, "consent")
    assert selectors.may_perform(world.crm, world.site_a1, "ae_assessment")
    assert not selectors.may_perform(world.monitor, world.site_a1, "consent")
    assert not selectors.may_perform(world.coordinator, world.site_a1, "consent")


def test_may_perform_with_a_log_needs_a_signed_delegation_of_that_task_in_force(world, staff):
    pi, crc = staff
    entry = delegate(world.site_a1, crc, ["consent"], by=world.crm)
    assert not selectors.may_perform(crc, world.site_a1, "consent")  # not signed yet
    services.sign_delegation(entry=entry, password=PASSWORD, by=pi)
    assert selectors.may_perform(crc, world.site_a1, "consent")
    assert not selectors.may_perform(crc, world.site_a1, "ae_assessment")
    assert not selectors.may_perform(crc, world.site_a1, "consent", on=entry.starts_on - dt.timedelta(days=1))
    assert not selectors.may_perform(pi, world.site_a1, "consent")  # the PI is not on the log yet
    assert not selectors.may_perform(world.crm, world.site_a1, "consent")
    # another site has no log: unaffected
    assert selectors.may_perform(world.crm, world.site_a2, "consent")
    with pytest.raises(ValueError):
        selectors.may_perform(crc, world.site_a1, "juggling")


def test_protocol_training_gaps_lists_staff_on_the_log_lacking_the_version(world, staff, today):
    pi, crc = staff
    delegate(
        world.site_a1, pi, ["ae_assessment"], by=world.crm, signer=pi, study_role="principal_investigator"
    )
    delegate(world.site_a1, crc, ["consent"], by=world.crm, signer=pi)
    amendment = study_services.create_protocol_version(
        study=world.study_a,
        number="2.0",
        version_date=dt.date(2025, 6, 1),
        amendment_number=1,
        by=world.admin,
    )
    services.record_training(
        study=world.study_a, staff_member=pi, kind="protocol", protocol_version=amendment,
        completed_on=today, by=world.crm,
    )  # fmt: skip
    gaps = selectors.protocol_training_gaps([world.site_a1.pk, world.site_a2.pk], amendment)
    assert gaps == {world.site_a1.pk: [crc], world.site_a2.pk: []}
    assert selectors.protocol_training_gaps([world.site_a1.pk], world.protocol_a.pk) == {world.site_a1.pk: []}


def test_an_approved_amendment_flags_staff_not_retrained(world, staff):
    pi, crc = staff
    delegate(world.site_a1, crc, ["consent"], by=world.crm, signer=pi)
    amendment = study_services.create_protocol_version(
        study=world.study_a,
        number="2.0",
        version_date=dt.date(2025, 6, 1),
        amendment_number=1,
        by=world.admin,
    )
    assert selectors.site_training_flags(world.site_a1) == []
    approve_protocol(amendment, by=world.admin, on=dt.date(2025, 6, 10))
    flags = dict(selectors.site_training_flags(world.site_a1))
    assert flags == {crc: ["not trained on protocol v2.0"], pi: ["not trained on protocol v2.0"]}
    [log] = [log for log in selectors.delegation_logs(world.crm, world.study_a) if log.site == world.site_a1]
    assert log.flagged == 1 and log.rows[0].training_gaps == ["not trained on protocol v2.0"]


# Consent is recorded by delegated staff only -----------------------------------------------------------


def test_consent_by_staff_not_delegated_consent_is_refused_once_the_site_keeps_a_log(world, staff):
    pi, crc = staff
    version = make_study_ready(world.study_a, [world.site_a1], by=world.admin)
    entry = make_screening_entry(world.site_a1, "S-1", by=crc)
    delegate(world.site_a1, crc, ["eligibility"], by=world.crm, signer=pi, starts_on=dt.date(2025, 1, 1))
    signed_at = dt.datetime(2025, 3, 2, 10, 0, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as error:
        subject_services.record_consent(
            screening_entry=entry, consent_version=version, signed_at=signed_at, by=crc
        )
    assert 'not delegated "consent" at site 101' in error.value.message_dict["obtained_by"][0]
    delegate(world.site_a1, crc, ["consent"], by=world.crm, signer=pi, starts_on=dt.date(2025, 1, 1))
    consent = subject_services.record_consent(
        screening_entry=entry, consent_version=version, signed_at=signed_at, by=crc
    )
    assert list(entry.consents.all()) == [consent]
    assert (consent.consent_version, consent.signed_at, consent.obtained_by) == (
        version,
        signed_at,
        "Crc Chris",
    )


# Financial disclosure ----------------------------------------------------------------------------------


def test_disclosure_only_from_an_investigator_of_the_site(world, staff, today):
    pi, crc = staff
    with pytest.raises(ValidationError) as error:
        services.record_disclosure(
            study_site=world.site_a1, investigator=crc, occasion="initial", disclosed_on=today, by=world.crm
        )
    assert "investigator" in error.value.message_dict
    disclosure = services.record_disclosure(
        study_site=world.site_a1, investigator=pi, occasion="initial", disclosed_on=today, by=world.crm,
        has_interests=True,
        interests=[{"kind": "equity_interest", "amount_band": "over_100k", "publicly_traded": True}],
    )  # fmt: skip
    assert audit_count(disclosure) == 1


def test_a_sub_investigator_on_the_log_owes_disclosures_and_may_file_their_own(world, staff, today):
    pi, crc = staff
    delegate(world.site_a1, crc, ["eligibility"], by=world.crm, signer=pi, study_role="sub_investigator")
    services.record_disclosure(
        study_site=world.site_a1, investigator=crc, occasion="initial", disclosed_on=today, by=crc
    )
    with pytest.raises(PermissionDenied):
        services.record_disclosure(
            study_site=world.site_a1, investigator=pi, occasion="initial", disclosed_on=today, by=crc
        )


def test_closing_disclosure_before_the_study_closes_is_refused(world, staff, today):
    pi, _ = staff
    with pytest.raises(ValidationError) as error:
        services.record_disclosure(
            study_site=world.site_a1,
            investigator=pi,
            occasion="study_close",
            disclosed_on=today,
            by=world.crm,
        )
    assert "occasion" in error.value.message_dict


def test_interests_listed_without_the_box_ticked_are_refused(world, staff, today):
    pi, _ = staff
    with pytest.raises(ValidationError) as error:
        services.record_disclosure(
            study_site=world.site_a1, investigator=pi, occasion="initial", disclosed_on=today, by=world.crm,
            interests=[{"kind": "other", "amount_band": "up_to_25k"}],
        )  # fmt: skip
    assert "has_interests" in error.value.message_dict
    assert not FinancialDisclosure.objects.exists()


def test_disclosure_status_lists_the_overdue_initial_disclosure(world, staff, today):
    pi, crc = staff
    delegate(world.site_a1, crc, ["eligibility"], by=world.crm, signer=pi, study_role="sub_investigator",
             starts_on=today - dt.timedelta(days=40))  # fmt: skip
    services.record_disclosure(
        study_site=world.site_a1, investigator=pi, occasion="initial", disclosed_on=today, by=world.crm
    )
    rows = {row.investigator: row for row in selectors.disclosure_status(world.crm, world.study_a)}
    assert rows[crc].worst == "overdue" and rows[crc].owed[0].days_overdue == 40
    assert rows[pi].worst == "done"
    reminders = study_reminders(world.study_a)["disclosures"]  # what `trialdesk people reminders` prints
    assert [(d["investigator"], d["occasion"], d["days_overdue"]) for d in reminders] == [
        ("crc_chris", "initial", 40)
    ]
    # the monitor sees the site, so the status; the coordinator of study B sees nothing of it
    assert len(selectors.disclosure_status(world.monitor, world.study_a)) == 2
    assert selectors.disclosure_status(world.coordinator, world.study_a) == []
