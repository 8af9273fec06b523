"""Participant services read as sentences: who may write, what is refused and why, what is audited."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_participant
from trialdesk.core.models import AuditEvent
from trialdesk.studies import services as study_services
from trialdesk.studies.models import Study
from trialdesk.subjects import services
from trialdesk.subjects.models import Consent, Participant, ScreeningEntry
from trialdesk.subjects.tests.factories import (
    SIGNED,
    make_consent_version,
    make_diversity_target,
    make_enrolled,
    make_screening_entry,
)


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as error:
        call(**kwargs)
    return error.value.message_dict


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


# --- screening log ----------------------------------------------------------------------------


def test_coordinator_adds_a_person_screened_and_it_is_audited(trial):
    entry = make_screening_entry(trial.site_a1, "S-001", by=trial.coordinator, outcome="pending")
    assert (entry.study_id, entry.outcome) == (trial.study_a.pk, "pending")
    event = AuditEvent.objects.get(action="screeningentry.created", object_id=str(entry.pk))
    assert (event.actor_username, event.study_site_id) == ("coordinator_cora", trial.site_a1.pk)


def test_screen_failure_needs_its_coded_reason_and_which_criterion(trial):
    problems = refused(make_screening_entry, site=trial.site_a1, number="S-1", by=trial.crm, outcome="failed")
    assert problems == {"failure_reason": ["A screen failure needs its reason."]}
    problems = refused(
        make_screening_entry,
        site=trial.site_a1,
        number="S-1",
        by=trial.crm,
        outcome="failed",
        failure_reason="inclusion_not_met",
    )
    assert problems == {"failure_detail": ["Say which inclusion criterion was not met."]}
    assert not ScreeningEntry.objects.filter(screening_number="S-1").exists()


def test_screening_date_in_the_future_is_refused(trial):
    tomorrow = trial.site_a1.local_today() + dt.timedelta(days=1)
    problems = refused(
        make_screening_entry, site=trial.site_a1, number="S-1", by=trial.crm, screened_on=tomorrow
    )
    assert problems["screened_on"] == ["The screening date is in the future."]


def test_screening_number_used_twice_at_a_site_is_refused_naming_the_field(trial):
    make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    problems = refused(make_screening_entry, site=trial.site_a1, number="S-1", by=trial.crm)
    assert "already in this site's screening log" in problems["screening_number"][0]
    assert make_screening_entry(trial.site_a2, "S-1", by=trial.crm).screening_number == "S-1"


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer"])
def test_people_who_only_read_may_not_add_to_the_screening_log(trial, person):
    with pytest.raises(PermissionDenied):
        make_screening_entry(trial.site_a1, "S-1", by=getattr(trial, person))


def test_coordinator_of_another_site_may_not_add_to_this_sites_log(trial):
    with pytest.raises(PermissionDenied):
        make_screening_entry(trial.site_a2, "S-1", by=trial.coordinator)


def test_an_enrolled_persons_entry_may_not_become_a_screen_failure(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.update_screening_entry,
        screening_entry=participant.screening_entry,
        changes={"outcome": "failed", "failure_reason": "consent_declined"},
        by=trial.crm,
        reason="mistake",
    )
    assert "enrolled as participant 101-001" in problems["outcome"][0]


# --- consent versions and approvals -----------------------------------------------------------


def test_consent_version_label_is_unique_per_language(trial):
    problems = refused(make_consent_version, study=trial.study_a, by=trial.crm, label="1.0")
    assert "already has a consent version with this label" in problems["label"][0]
    assert make_consent_version(trial.study_a, by=trial.crm, label="1.0", language="de").language == "de"


def test_consent_version_of_another_studys_protocol_is_refused(trial):
    protocol_b = study_services.create_protocol_version(
        study=trial.study_b, number="1.0", version_date=dt.date(2025, 1, 1), by=trial.admin
    )
    problems = refused(
        make_consent_version, study=trial.study_a, by=trial.crm, label="2.0", protocol_version=protocol_b
    )
    assert problems["protocol_version"] == ["This protocol version belongs to another study."]


def test_only_the_crm_manages_consent_versions_and_approvals(trial):
    with pytest.raises(PermissionDenied):
        make_consent_version(trial.study_a, by=trial.coordinator, label="2.0")
    version = make_consent_version(trial.study_a, by=trial.crm, label="2.0")
    with pytest.raises(PermissionDenied):
        services.record_consent_approval(
            consent_version=version,
            study_site=trial.site_a1,
            approved_on=dt.date(2025, 6, 1),
            by=trial.coordinator,
        )


def test_a_sites_approval_is_recorded_once_and_not_in_the_future(trial):
    problems = refused(
        services.record_consent_approval,
        consent_version=trial.v1,
        study_site=trial.site_a1,
        approved_on=dt.date(2025, 3, 1),
        by=trial.crm,
    )
    assert "already recorded" in problems["study_site"][0]
    version = make_consent_version(trial.study_a, by=trial.crm, label="2.0")
    problems = refused(
        services.record_consent_approval,
        consent_version=version,
        study_site=trial.site_a1,
        approved_on=trial.site_a1.local_today() + dt.timedelta(days=2),
        by=trial.crm,
    )
    assert problems["approved_on"] == ["The approval date is in the future."]


def test_a_signed_version_keeps_what_was_signed(trial):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.update_consent_version,
        consent_version=trial.v1,
        changes={"effective_on": dt.date(2024, 1, 1), "summary_of_changes": "typo"},
        by=trial.crm,
        reason="fix",
    )
    assert list(problems) == ["effective_on"]
    version = services.update_consent_version(
        consent_version=trial.v1, changes={"summary_of_changes": "First version."}, by=trial.crm, reason="fix"
    )
    assert version.summary_of_changes == "First version."


# --- consent ----------------------------------------------------------------------------------


def test_consent_dated_in_the_future_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    problems = refused(
        services.record_consent,
        screening_entry=entry,
        consent_version=trial.v1,
        signed_at=timezone.now() + dt.timedelta(hours=2),
        by=trial.crm,
    )
    assert problems == {"signed_at": ["The consent date and time are in the future."]}
    assert not Consent.objects.exists()


def test_consent_on_a_version_not_approved_at_the_site_is_refused(trial):
    german = make_consent_version(trial.study_a, by=trial.crm, language="de", approved_at=[trial.site_a2])
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    problems = refused(
        services.record_consent, screening_entry=entry, consent_version=german, signed_at=SIGNED, by=trial.crm
    )
    assert "not approved at this site" in problems["consent_version"][0]


def test_consent_before_the_sites_approval_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm, screened_on=dt.date(2025, 1, 20))
    problems = refused(
        services.record_consent,
        screening_entry=entry,
        consent_version=trial.v1,
        signed_at=at(dt.date(2025, 1, 20)),
        by=trial.crm,
    )
    assert "in use at this site only from 2025-02-01" in problems["consent_version"][0]


def test_consent_on_a_replaced_version_is_refused(trial):
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
    )
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm, screened_on=dt.date(2025, 7, 1))
    problems = refused(
        services.record_consent,
        screening_entry=entry,
        consent_version=trial.v1,
        signed_at=at(dt.date(2025, 7, 1)),
        by=trial.crm,
    )
    assert "replaced at this site on 2025-06-01" in problems["consent_version"][0]


def test_consent_keeps_the_answer_to_each_optional_item(trial):
    version = make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 6, 1),
        approved_at=[trial.site_a1],
        optional_items=["Future research", "Genetic testing"],
    )
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    consent = services.record_consent(
        participant=participant,
        consent_version=version,
        signed_at=at(dt.date(2025, 7, 1)),
        optional_items={"Future research": True},
        obtained_by="Dr Study Nurse",
        by=trial.coordinator,
    )
    assert consent.optional_items == {"Future research": True, "Genetic testing": False}
    assert (consent.participant, consent.obtained_by) == (participant, "Dr Study Nurse")
    problems = refused(
        services.record_consent,
        participant=participant,
        consent_version=version,
        signed_at=at(dt.date(2025, 7, 2)),
        optional_items={"Biobank": True},
        by=trial.coordinator,
    )
    assert "no optional item 'Biobank'" in problems["optional_items"][0]


def test_consent_obtained_by_defaults_to_the_person_recording_it(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    consent = services.record_consent(
        screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.coordinator
    )
    assert consent.obtained_by == "Coordinator Cora"


# --- enrollment -------------------------------------------------------------------------------


def test_enrolling_gives_the_next_number_of_the_studys_format_per_site(trial):
    first = make_enrolled(trial.site_a1, "S-1", by=trial.coordinator, version=trial.v1)
    second = make_enrolled(trial.site_a1, "S-2", by=trial.coordinator, version=trial.v1)
    other_site = make_enrolled(trial.site_a2, "S-1", by=trial.crm, version=trial.v1)
    assert [p.number for p in (first, second, other_site)] == ["101-001", "101-002", "102-001"]
    assert first.status == "enrolled" and first.enrolled_on == first.status_changed_on == dt.date(2025, 3, 4)


def test_a_study_wide_format_numbers_across_sites(trial):
    study_services.update_study(
        study=trial.study_a,
        changes={"participant_number_format": "{study}-{seq:04d}"},
        by=trial.crm,
        reason="SAP",
    )
    numbers = [
        make_enrolled(site, f"S-{n}", by=trial.crm, version=trial.v1).number
        for n, site in enumerate([trial.site_a1, trial.site_a2, trial.site_a1])
    ]
    assert numbers == ["ONC-A-0001", "ONC-A-0002", "ONC-A-0003"]


def test_a_given_number_is_used_and_a_duplicate_is_refused_naming_the_field(trial):
    assert (
        make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1, number="101-050").number
        == "101-050"
    )
    entry = make_screening_entry(trial.site_a2, "S-2", by=trial.crm)
    services.record_consent(screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm)
    problems = refused(
        services.enroll_participant,
        screening_entry=entry,
        number="101-050",
        enrolled_on=dt.date(2025, 3, 4),
        by=trial.crm,
    )
    assert problems == {"number": ["This participant number is already used in this study."]}
    assert Participant.objects.count() == 1


def test_generated_numbers_skip_a_number_already_given_by_hand(trial):
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1, number="101-001")
    assert make_enrolled(trial.site_a1, "S-2", by=trial.crm, version=trial.v1).number == "101-002"


def test_enrollment_without_consent_is_refused_and_nothing_is_saved(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    events = AuditEvent.objects.count()
    problems = refused(services.enroll_participant, screening_entry=entry, by=trial.coordinator)
    assert problems == {
        "screening_entry": ["There is no consent on the consent version currently approved at this site."]
    }
    assert (Participant.objects.count(), AuditEvent.objects.count()) == (0, events)


def test_enrollment_on_a_consent_replaced_since_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    services.record_consent(screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm)
    make_consent_version(
        trial.study_a,
        by=trial.crm,
        label="2.0",
        effective_on=dt.date(2025, 3, 10),
        approved_at=[trial.site_a1],
        approved_on=dt.date(2025, 3, 10),
    )
    problems = refused(
        services.enroll_participant, screening_entry=entry, enrolled_on=dt.date(2025, 3, 12), by=trial.crm
    )
    assert "no consent on the consent version currently approved" in problems["screening_entry"][0]
    # Enrolled on a day the old version was still the site's, the same consent is valid.
    assert services.enroll_participant(screening_entry=entry, enrolled_on=dt.date(2025, 3, 5), by=trial.crm)


def test_consent_dated_after_enrollment_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    services.record_consent(
        screening_entry=entry, consent_version=trial.v1, signed_at=at(dt.date(2025, 3, 10)), by=trial.crm
    )
    problems = refused(
        services.enroll_participant, screening_entry=entry, enrolled_on=dt.date(2025, 3, 4), by=trial.crm
    )
    assert problems == {"enrolled_on": ["The consent is dated 2025-03-10, after the enrollment date."]}


def test_consent_signed_late_evening_in_tokyo_counts_on_the_tokyo_day(trial):
    """23:30 UTC on 3 March is 08:30 on 4 March in Tokyo: enrolling on 3 March (Tokyo) is refused."""
    entry = make_screening_entry(trial.site_a2, "S-1", by=trial.crm)
    services.record_consent(
        screening_entry=entry,
        consent_version=trial.v1,
        signed_at=dt.datetime(2025, 3, 3, 23, 30, tzinfo=dt.UTC),
        by=trial.crm,
    )
    problems = refused(
        services.enroll_participant, screening_entry=entry, enrolled_on=dt.date(2025, 3, 3), by=trial.crm
    )
    assert "dated 2025-03-04" in problems["enrolled_on"][0]


def test_enrollment_at_a_site_not_enrolling_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    services.record_consent(screening_entry=entry, consent_version=trial.v1, signed_at=SIGNED, by=trial.crm)
    from trialdesk.sites import services as site_services

    site_services.change_site_status(
        study_site=trial.site_a1, to="on_hold", by=trial.crm, reason="audit finding"
    )
    problems = refused(services.enroll_participant, screening_entry=entry, by=trial.crm)
    assert problems == {"study_site": ["The site is not enrolling (its status is on hold)."]}


def test_enrollment_beyond_the_site_target_is_refused_unless_over_enrollment_is_allowed(trial):
    from trialdesk.sites import services as site_services

    site_services.update_study_site(
        study_site=trial.site_a1, changes={"target_enrollment": 1}, by=trial.crm, reason="smaller site"
    )
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    with pytest.raises(ValidationError) as error:
        make_enrolled(trial.site_a1, "S-2", by=trial.crm, version=trial.v1)
    assert "site's target of 1 is reached" in error.value.messages[0]
    study_services.update_study(
        study=trial.study_a, changes={"allow_over_enrollment": True}, by=trial.crm, reason="DSMB agreed"
    )
    assert make_enrolled(trial.site_a1, "S-3", by=trial.crm, version=trial.v1).number == "101-002"


def test_enrollment_beyond_the_study_target_is_refused(trial):
    study_services.update_study(
        study=trial.study_a, changes={"planned_enrollment": 1}, by=trial.crm, reason="pilot"
    )
    make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    with pytest.raises(ValidationError) as error:
        make_enrolled(trial.site_a2, "S-2", by=trial.crm, version=trial.v1)
    assert error.value.message_dict["__all__"] == [
        "The study's target of 1 is reached (1 enrolled) and the study does not allow over-enrollment."
    ]


def test_only_a_person_who_passed_screening_is_enrolled_and_only_once(trial):
    pending = make_screening_entry(trial.site_a1, "S-1", by=trial.crm, outcome="pending")
    problems = refused(services.enroll_participant, screening_entry=pending, by=trial.crm)
    assert problems == {"screening_entry": ["Only a person who passed screening can be enrolled."]}
    participant = make_enrolled(trial.site_a1, "S-2", by=trial.crm, version=trial.v1)
    problems = refused(services.enroll_participant, screening_entry=participant.screening_entry, by=trial.crm)
    assert problems == {"screening_entry": ["This person is already enrolled as 101-001."]}


def test_enrollment_date_in_the_future_or_before_screening_is_refused(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    tomorrow = trial.site_a1.local_today() + dt.timedelta(days=1)
    assert (
        "in the future"
        in refused(services.enroll_participant, screening_entry=entry, enrolled_on=tomorrow, by=trial.crm)[
            "enrolled_on"
        ][0]
    )
    assert (
        "before the screening date"
        in refused(
            services.enroll_participant, screening_entry=entry, enrolled_on=dt.date(2025, 2, 1), by=trial.crm
        )["enrolled_on"][0]
    )


def test_enrollment_links_the_persons_consents_and_audits_both(trial):
    participant = make_enrolled(
        trial.site_a1, "S-1", by=trial.coordinator, version=trial.v1, demographics={"sex": "female"}
    )
    consent = Consent.objects.get()
    assert (consent.participant, consent.screening_entry) == (participant, participant.screening_entry)
    assert participant.sex == "female"
    actions = set(AuditEvent.objects.filter(study_id=trial.study_a.pk).values_list("action", flat=True))
    assert {"participant.created", "consent.created", "consent.linked"} <= actions


def test_monitor_may_not_enroll(trial):
    entry = make_screening_entry(trial.site_a1, "S-1", by=trial.crm)
    with pytest.raises(PermissionDenied):
        services.enroll_participant(screening_entry=entry, by=trial.monitor)


# --- participant status -----------------------------------------------------------------------


def test_participant_goes_through_the_lifecycle_and_each_change_is_audited(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    # Randomized follows an allocation: the randomization service calls mark_randomized.
    participant = services.mark_randomized(participant=participant, on=dt.date(2025, 3, 5), by=trial.crm)
    for status, day in (("on_treatment", 6), ("follow_up", 20), ("completed", 28)):
        participant = services.change_participant_status(
            participant=participant,
            to=status,
            on=dt.date(2025, 3, day),
            reason=f"to {status}",
            by=trial.coordinator,
        )
    assert (participant.status, participant.status_changed_on) == ("completed", dt.date(2025, 3, 28))
    assert (
        AuditEvent.objects.filter(action="participant.status_changed", object_id=str(participant.pk)).count()
        == 4
    )


def test_leaving_early_keeps_the_reason_and_date(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    participant = services.change_participant_status(
        participant=participant,
        to="lost_to_follow_up",
        on=dt.date(2025, 4, 1),
        reason="No contact after 3 calls",
        by=trial.crm,
    )
    assert (participant.status, participant.end_reason) == ("lost_to_follow_up", "No contact after 3 calls")


def test_a_move_not_in_the_lifecycle_is_refused_naming_the_allowed_ones(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.change_participant_status,
        participant=participant,
        to="completed",
        on=None,
        reason="x",
        by=trial.crm,
    )
    assert problems["status"][0].startswith("A participant who is enrolled can move only to: on treatment")


def test_status_change_needs_a_reason_and_a_date_not_in_the_future_nor_before_the_last(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    change = dict(participant=participant, to="on_treatment", by=trial.crm)
    assert refused(services.change_participant_status, on=None, reason=" ", **change) == {
        "reason": ["A reason for change is required."]
    }
    tomorrow = trial.site_a1.local_today() + dt.timedelta(days=1)
    assert (
        "in the future"
        in refused(services.change_participant_status, on=tomorrow, reason="r", **change)["on"][0]
    )
    assert (
        "before the participant's previous status change"
        in refused(services.change_participant_status, on=dt.date(2025, 3, 1), reason="r", **change)["on"][0]
    )


def test_monitor_may_not_change_a_participants_status(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    with pytest.raises(PermissionDenied):
        services.change_participant_status(
            participant=participant, to="on_treatment", on=None, reason="r", by=trial.monitor
        )


def test_a_participant_in_screening_is_enrolled_only_with_a_valid_consent(trial):
    participant = make_participant(
        trial.site_a1, "101-900", by=trial.crm, status="screening", enrolled_on=None
    )
    problems = refused(
        services.change_participant_status,
        participant=participant,
        to="enrolled",
        on=None,
        reason="r",
        by=trial.crm,
    )
    assert "no consent" in problems["status"][0]


# --- withdrawal -------------------------------------------------------------------------------


def test_partial_withdrawal_says_what_continues_and_keeps_the_participant_active(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.withdraw_consent,
        participant=participant,
        withdrawn_on=dt.date(2025, 4, 1),
        scope="partial",
        by=trial.crm,
    )
    assert problems == {"what_continues": ["A partial withdrawal says what continues."]}
    services.withdraw_consent(
        participant=participant,
        withdrawn_on=dt.date(2025, 4, 1),
        scope="partial",
        what_continues="Follow-up by telephone",
        by=trial.coordinator,
    )
    participant.refresh_from_db()
    assert participant.status == "enrolled"


def test_full_withdrawal_makes_the_participant_withdrawn(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    services.withdraw_consent(
        participant=participant,
        withdrawn_on=dt.date(2025, 4, 1),
        scope="full",
        reason="Moved away",
        by=trial.coordinator,
    )
    participant.refresh_from_db()
    assert (participant.status, participant.status_changed_on, participant.end_reason) == (
        "withdrawn",
        dt.date(2025, 4, 1),
        "Moved away",
    )
    problems = refused(
        services.withdraw_consent,
        participant=participant,
        withdrawn_on=dt.date(2025, 4, 2),
        scope="full",
        by=trial.crm,
    )
    assert "already left the study" in problems["participant"][0]


def test_withdrawal_before_the_latest_consent_is_refused(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.withdraw_consent,
        participant=participant,
        withdrawn_on=dt.date(2025, 3, 1),
        scope="full",
        by=trial.crm,
    )
    assert problems == {"withdrawn_on": ["The withdrawal date is before the participant's latest consent."]}


def test_a_participant_who_left_cannot_consent_again(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    services.change_participant_status(
        participant=participant, to="died", on=dt.date(2025, 4, 1), reason="SAE 12", by=trial.crm
    )
    participant.refresh_from_db()
    problems = refused(
        services.record_consent,
        participant=participant,
        consent_version=trial.v1,
        signed_at=SIGNED,
        by=trial.crm,
    )
    assert "has left the study (died)" in problems["participant"][0]


# --- demographics and the diversity plan ------------------------------------------------------


def test_demographics_change_with_a_reason_and_a_real_country(trial):
    participant = make_enrolled(trial.site_a1, "S-1", by=trial.crm, version=trial.v1)
    problems = refused(
        services.update_participant,
        participant=participant,
        changes={"country": "XX"},
        by=trial.crm,
        reason="r",
    )
    assert "not an ISO 3166-1" in problems["country"][0]
    problems = refused(
        services.update_participant,
        participant=participant,
        changes={"number": "X"},
        by=trial.crm,
        reason="r",
    )
    assert problems == {"number": ["This field cannot be set here."]}
    participant = services.update_participant(
        participant=participant,
        changes={"age_at_consent": 67, "country": "de"},
        by=trial.coordinator,
        reason="CRF",
    )
    assert (participant.age_at_consent, participant.country) == (67, "DE")


def test_diversity_targets_of_one_dimension_add_up_to_100_at_most(trial):
    make_diversity_target(trial.study_a, by=trial.crm, group="female", percent="60")
    problems = refused(make_diversity_target, study=trial.study_a, by=trial.crm, group="male", percent="45")
    assert problems == {"target_percent": ["The sex targets would add up to 105.0%."]}
    # Age bands may overlap: 65+ and 75+ are both aims.
    make_diversity_target(trial.study_a, by=trial.crm, dimension="age", group="65+", percent="80")
    make_diversity_target(trial.study_a, by=trial.crm, dimension="age", group="75+", percent="40")
    targets = trial.study_a.diversity_targets.values_list("dimension", "group", "target_percent")
    assert sorted((d, g, float(p)) for d, g, p in targets) == [
        ("age", "65+", 80.0),
        ("age", "75+", 40.0),
        ("sex", "female", 60.0),
    ]


@pytest.mark.parametrize(
    ("dimension", "group", "problem"),
    [("sex", "woman", "Choose one of"), ("age", "old", "age band"), ("country", "XX", "ISO 3166-1")],
)
def test_diversity_target_for_an_unknown_group_is_refused(trial, dimension, group, problem):
    problems = refused(
        make_diversity_target, study=trial.study_a, by=trial.crm, dimension=dimension, group=group
    )
    assert problem in problems["group"][0]


def test_only_the_crm_changes_the_diversity_plan(trial):
    with pytest.raises(PermissionDenied):
        make_diversity_target(trial.study_a, by=trial.coordinator)
    target = make_diversity_target(trial.study_a, by=trial.crm)
    target = services.update_diversity_target(
        diversity_target=target,
        changes={"target_percent": Decimal("55")},
        by=trial.crm,
        reason="FDA feedback",
    )
    services.delete_diversity_target(diversity_target=target, by=trial.crm, reason="replaced")
    assert not trial.study_a.diversity_targets.exists()


def test_a_planned_study_with_consent_versions_can_still_be_deleted(world):
    study = study_services.create_study(
        code="NEW-1",
        title="t",
        phase="II",
        therapeutic_area="x",
        sponsor="y",
        planned_enrollment=10,
        by=world.crm,
    )
    protocol = study_services.create_protocol_version(
        study=study, number="1.0", version_date=dt.date(2025, 1, 1), by=world.crm
    )
    make_consent_version(study, by=world.crm, protocol_version=protocol)
    study_services.delete_study(study=study, by=world.crm, reason="never started")
    assert not Study.objects.filter(code="NEW-1").exists()
