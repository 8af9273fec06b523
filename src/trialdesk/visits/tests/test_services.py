"""Visit services read as sentences: scheduling, recording, missed visits, deviations and their audit."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_participant
from trialdesk.core import audit
from trialdesk.core.models import AuditEvent
from trialdesk.core.records import StaleVersion
from trialdesk.studies import services as study_services
from trialdesk.subjects import services as subject_services
from trialdesk.subjects.tests.factories import make_consent_version, make_study_ready
from trialdesk.visits import selectors, services
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit
from trialdesk.visits.tests.factories import add_schedule

D = dt.date


def codes(visits) -> list[str]:
    return [v.definition.code for v in visits]


# Scheduling ------------------------------------------------------------------------------------------


def test_randomization_schedules_the_visits_anchored_on_it_with_their_windows(world, vw):
    visits = {v.definition.code: v for v in ScheduledVisit.objects.filter(participant=vw.participant_a1)}
    assert sorted(visits) == ["BL", "EOS", "FU", "W2", "W4"]  # not SCR: it hangs on consent
    w2 = visits["W2"]
    assert (w2.anchor_on, w2.target_on, w2.window_start_on, w2.window_end_on) == (
        D(2025, 3, 3),
        D(2025, 3, 17),
        D(2025, 3, 14),
        D(2025, 3, 20),
    )
    assert visits["EOS"].target_on == D(2025, 8, 30) and visits["BL"].status == "scheduled"


def test_scheduling_again_creates_nothing_new(world, vw):
    before = AuditEvent.objects.count()
    again = services.schedule_visits(
        participant=vw.participant_a1, anchor="randomization", anchor_on=D(2025, 3, 3), by=world.admin
    )
    assert codes(again) == ["BL", "W2", "W4", "FU", "EOS"]
    assert ScheduledVisit.objects.filter(participant=vw.participant_a1).count() == 5
    assert AuditEvent.objects.count() == before


def test_each_scheduled_visit_has_its_own_audit_event_on_the_site(world, vw):
    events = AuditEvent.objects.filter(action="scheduledvisit.created", study_site_id=world.site_a1.pk)
    assert events.count() == 5
    event = events.get(object_id=str(vw.visit_a1.pk))
    assert event.study_id == world.study_a.pk
    assert event.changes["target_on"] == [None, "2025-03-17"]
    assert event.reason == "Scheduled from randomization on 2025-03-03 (protocol v1.0)"


def test_consent_anchored_visits_are_scheduled_separately(world, vw):
    visits = services.schedule_visits(
        participant=vw.participant_a1, anchor="consent", anchor_on=D(2025, 2, 20), by=world.admin
    )
    assert codes(visits) == ["SCR"] and visits[0].target_on == D(2025, 2, 20)


def test_a_moment_is_read_in_the_site_time_zone(world, vw):
    evening_in_utc = dt.datetime(2025, 3, 2, 20, 0, tzinfo=dt.UTC)  # 21:00 in Berlin, 05:00 next day in Tokyo
    berlin = make_participant(world.site_a1, "101-002", by=world.admin)
    tokyo = make_participant(world.site_a2, "102-002", by=world.admin)
    at_berlin = services.schedule_visits(
        participant=berlin, anchor="randomization", anchor_on=evening_in_utc, by=None
    )
    at_tokyo = services.schedule_visits(
        participant=tokyo, anchor="randomization", anchor_on=evening_in_utc, by=None
    )
    assert at_berlin[0].target_on == D(2025, 3, 2)
    assert at_tokyo[0].target_on == D(2025, 3, 3)


def test_a_naive_moment_is_refused(world, vw):
    with pytest.raises(ValidationError) as error:
        services.schedule_visits(
            participant=vw.participant_b1,
            anchor="randomization",
            anchor_on=dt.datetime(2025, 3, 2, 20),
            by=None,
        )
    assert "anchor_on" in error.value.message_dict


def test_an_unknown_anchor_is_refused_naming_the_field(world, vw):
    with pytest.raises(ValidationError) as error:
        services.schedule_visits(
            participant=vw.participant_a1, anchor="surgery", anchor_on=D(2025, 3, 3), by=None
        )
    assert "Unknown anchor 'surgery'" in error.value.message_dict["anchor"][0]


def test_without_an_approved_or_effective_protocol_nothing_is_scheduled(world):
    participant = make_participant(world.site_b1, "201-009", by=world.admin)
    assert (
        services.schedule_visits(
            participant=participant, anchor="enrollment", anchor_on=D(2025, 3, 1), by=None
        )
        == []
    )


def test_the_effective_version_wins_over_a_later_approved_one(world, vw):
    amendment = study_services.create_protocol_version(
        study=world.study_a, number="2.0", version_date=D(2025, 4, 1), by=world.admin
    )
    for status in ("submitted", "approved"):
        amendment = study_services.change_protocol_status(
            protocol_version=amendment, to=status, on=D(2025, 4, 2), by=world.admin, reason="r"
        )
    assert selectors.schedule_version_of(world.study_a) == world.protocol_a
    amendment = study_services.change_protocol_status(
        protocol_version=amendment, to="effective", on=D(2025, 4, 3), by=world.admin, reason="r"
    )
    assert selectors.schedule_version_of(world.study_a) == amendment


def test_the_latest_approved_version_is_used_when_none_is_effective(world):
    version = world.protocol_a
    for status in ("submitted", "approved"):
        version = study_services.change_protocol_status(
            protocol_version=version, to=status, on=D(2025, 2, 1), by=world.admin, reason="r"
        )
    add_schedule(version, by=world.admin)
    participant = make_participant(world.site_a1, "101-003", by=world.admin)
    visits = services.schedule_visits(
        participant=participant, anchor="randomization", anchor_on=D(2025, 3, 3), by=None
    )
    assert len(visits) == 5


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer"])
def test_only_site_staff_and_the_crm_schedule_visits(world, vw, person):
    with pytest.raises(PermissionDenied):
        services.schedule_visits(
            participant=vw.participant_a1, anchor="consent", anchor_on=D(2025, 2, 20), by=world.people[person]
        )


def test_the_coordinator_schedules_visits_at_their_own_site(world, vw):
    visits = services.schedule_visits(
        participant=vw.participant_b1, anchor="enrollment", anchor_on=D(2025, 3, 1), by=world.coordinator
    )
    assert visits == []  # study B has no schedule; what matters is that the coordinator may ask


# Bulk scheduling -------------------------------------------------------------------------------------


def test_bulk_scheduling_adds_every_visit_under_one_summary_event_per_site(world, vw):
    berlin = [make_participant(world.site_a1, f"101-1{i:02d}", by=world.admin) for i in range(3)]
    tokyo = make_participant(world.site_a2, "102-100", by=world.admin)
    anchors = [(p.pk, D(2025, 4, 1) + dt.timedelta(days=i)) for i, p in enumerate(berlin)]
    before = AuditEvent.objects.count()
    added = services.schedule_visits_bulk(
        protocol_version=world.protocol_a,
        anchor="randomization",
        anchors=[*anchors, (tokyo.pk, D(2025, 4, 1))],
        by=world.crm,
        reason="Import",
    )
    assert added == 20 and AuditEvent.objects.count() == before + 2
    events = list(AuditEvent.objects.filter(action="scheduledvisit.bulk_scheduled").order_by("id"))
    assert [(e.action, e.study_id, e.study_site_id, e.object_id) for e in events] == [
        ("scheduledvisit.bulk_scheduled", world.study_a.pk, world.site_a1.pk, str(world.site_a1.pk)),
        ("scheduledvisit.bulk_scheduled", world.study_a.pk, world.site_a2.pk, str(world.site_a2.pk)),
    ]
    counts = [(e.changes["participants"][1], e.changes["visits_added"][1]) for e in events]
    assert counts == [(3, 15), (1, 5)]
    assert events[0].changes["protocol_version"] == [None, "1.0"] and events[0].reason == "Import"
    assert ScheduledVisit.objects.filter(participant=tokyo).count() == 5
    w2 = ScheduledVisit.objects.get(participant=berlin[2], definition__code="W2")
    assert (w2.target_on, w2.window_start_on, w2.window_end_on, w2.version) == (
        D(2025, 4, 17),
        D(2025, 4, 14),
        D(2025, 4, 20),
        1,
    )
    assert audit.verify_chain().intact


def test_bulk_and_one_by_one_scheduling_give_the_same_dates(world, vw):
    services.create_visit_definition(
        protocol_version=world.protocol_a,
        code="PRE",
        name="Pre-dose check",
        visit_type="baseline",
        anchor="randomization",
        day_offset=-7,
        window_before_days=2,
        window_after_days=1,
        modalities=["on_site"],
        by=world.crm,
    )
    one, other = (make_participant(world.site_a1, f"101-2{i:02d}", by=world.admin) for i in range(2))
    anchor_on = D(2024, 2, 25)  # the schedule crosses a leap day
    services.schedule_visits(participant=one, anchor="randomization", anchor_on=anchor_on, by=world.crm)
    services.schedule_visits_bulk(
        protocol_version=world.protocol_a,
        anchor="randomization",
        anchors=[(other.pk, anchor_on)],
        by=world.crm,
        reason="Import",
    )

    def dates(participant):
        visits = ScheduledVisit.objects.filter(participant=participant).order_by("definition__code")
        return [
            (v.definition.code, v.anchor_on, v.target_on, v.window_start_on, v.window_end_on, v.status)
            for v in visits
        ]

    assert dates(one) == dates(other)
    assert ("PRE", anchor_on, D(2024, 2, 18), D(2024, 2, 16), D(2024, 2, 19), "scheduled") in dates(other)


def test_bulk_scheduling_again_adds_nothing(world, vw):
    anchors = [(vw.participant_a1.pk, D(2025, 3, 3)), (vw.participant_a2.pk, D(2025, 3, 3))]
    added = services.schedule_visits_bulk(
        protocol_version=world.protocol_a,
        anchor="randomization",
        anchors=anchors,
        by=world.crm,
        reason="Import",
    )
    assert added == 0
    assert ScheduledVisit.objects.filter(participant=vw.participant_a1).count() == 5


def test_bulk_scheduling_refuses_participants_of_another_study(world, vw):
    with pytest.raises(ValidationError) as error:
        services.schedule_visits_bulk(
            protocol_version=world.protocol_a,
            anchor="randomization",
            anchors=[(vw.participant_b1.pk, D(2025, 3, 3))],
            by=world.crm,
            reason="Import",
        )
    assert "not in this study" in error.value.message_dict["anchors"][0]


def test_bulk_scheduling_is_for_the_crm_and_needs_a_reason(world, vw):
    with pytest.raises(PermissionDenied):
        services.schedule_visits_bulk(
            protocol_version=world.protocol_a,
            anchor="randomization",
            anchors=[],
            by=world.monitor,
            reason="x",
        )
    with pytest.raises(ValidationError):
        services.schedule_visits_bulk(
            protocol_version=world.protocol_a, anchor="randomization", anchors=[], by=world.crm, reason=""
        )


# Recording visits ------------------------------------------------------------------------------------


def record(visit, done_on, *, by, modality="on_site", reason=""):
    return services.record_visit(
        scheduled_visit=visit, done_on=done_on, modality=modality, by=by, reason=reason
    )


def test_a_visit_in_its_window_is_recorded_done(world, vw):
    visit = record(vw.visit_a1, D(2025, 3, 16), by=world.crm, modality="telemedicine")
    assert (visit.status, visit.done_on, visit.modality, visit.out_of_window) == (
        "done",
        D(2025, 3, 16),
        "telemedicine",
        False,
    )
    event = AuditEvent.objects.get(action="scheduledvisit.recorded", object_id=str(visit.pk))
    assert event.reason == "Visit recorded" and event.changes["done_on"] == [None, "2025-03-16"]


def test_a_visit_outside_its_window_is_recorded_and_flagged(world, vw):
    visit = record(vw.visit_a1, D(2025, 3, 25), by=world.crm)
    assert visit.status == "done" and visit.out_of_window
    row = next(r for r in selectors.visit_rows(world.crm, vw.participant_a1) if r.visit.pk == visit.pk)
    assert row.standing == "done_out_of_window"


def test_a_visit_date_in_the_future_is_refused(world, vw):
    tomorrow = world.site_a1.local_today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        record(vw.visit_a1, tomorrow, by=world.crm)
    assert "future" in error.value.message_dict["done_on"][0]
    assert ScheduledVisit.objects.get(pk=vw.visit_a1.pk).status == "scheduled"


def test_a_visit_date_before_enrollment_is_refused(world, vw):
    with pytest.raises(ValidationError) as error:
        record(vw.visit_a1, D(2025, 2, 28), by=world.crm)
    assert error.value.message_dict["done_on"] == [
        "The visit date is before the participant's enrollment (2025-03-01)."
    ]


def test_a_visit_date_before_first_consent_is_refused(world, vw):
    version = make_study_ready(world.study_a, [world.site_a1], by=world.admin)
    subject_services.record_consent(
        participant=vw.participant_a1, consent_version=version,
        signed_at=dt.datetime(2025, 3, 20, 9, tzinfo=dt.UTC), by=world.admin,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    assert (
        "consent is dated 2025-03-20, after the first study procedure"
        in error.value.message_dict["done_on"][0]
    )


def test_a_modality_the_schedule_does_not_allow_is_refused(world, vw):
    with pytest.raises(ValidationError) as error:
        record(vw.visit_a1, D(2025, 3, 16), by=world.crm, modality="home_visit")
    assert error.value.message_dict["modality"] == ["This visit may be done only: on site, telemedicine."]


def test_correcting_a_recorded_visit_needs_a_reason(world, vw):
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    visit = ScheduledVisit.objects.get(pk=vw.visit_a1.pk)
    with pytest.raises(ValidationError) as error:
        record(visit, D(2025, 3, 17), by=world.crm)
    assert "reason" in error.value.message_dict
    corrected = record(visit, D(2025, 3, 17), by=world.crm, reason="Date typed wrongly")
    assert corrected.done_on == D(2025, 3, 17) and corrected.version == 3


def test_a_stale_version_is_refused(world, vw):
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    with pytest.raises(StaleVersion):
        services.record_visit(
            scheduled_visit=vw.visit_a1,
            done_on=D(2025, 3, 17),
            modality="on_site",
            by=world.crm,
            reason="r",
            expected_version=1,
        )


@pytest.mark.parametrize("person", ["monitor", "auditor", "sponsor_viewer", "coordinator", "outsider"])
def test_only_site_staff_and_the_crm_record_visits(world, vw, person):
    with pytest.raises(PermissionDenied):
        record(vw.visit_a1, D(2025, 3, 16), by=world.people[person])


def test_the_coordinator_records_a_visit_at_their_site(world, vw):
    visit = services.record_unscheduled_visit(
        participant=vw.participant_b1,
        done_on=D(2025, 3, 5),
        modality="home_visit",
        note="AE check",
        by=world.coordinator,
    )
    assert visit.definition_id is None and visit.status == "done" and not visit.out_of_window
    assert AuditEvent.objects.filter(action="scheduledvisit.created", object_id=str(visit.pk)).exists()


def test_an_unscheduled_visit_is_refused_before_enrollment(world, vw):
    with pytest.raises(ValidationError) as error:
        services.record_unscheduled_visit(
            participant=vw.participant_b1, done_on=D(2025, 1, 5), modality="on_site", by=world.coordinator
        )
    assert "done_on" in error.value.message_dict


# Re-consent overdue -> consent deviation -------------------------------------------------------------


def amend_consent(world, participant, *, window_days: int) -> None:
    """The participant signed consent v1.0 on 2025-03-01; v2.0 comes into use at their site on 2025-03-05
    and the study gives `window_days` to re-consent (or until the next visit, if sooner)."""
    site = participant.study_site
    v1 = make_study_ready(participant.study, [site], by=world.admin)
    subject_services.record_consent(
        participant=participant, consent_version=v1, signed_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
        by=world.admin,
    )  # fmt: skip
    study_services.update_study(
        study=participant.study, changes={"reconsent_window_days": window_days}, by=world.admin, reason="EC"
    )
    make_consent_version(
        participant.study, by=world.admin, label="2.0", effective_on=D(2025, 3, 5), approved_at=[site],
        approved_on=D(2025, 3, 5),
    )  # fmt: skip
    participant.refresh_from_db()  # forget the study read before its window changed


def test_a_visit_while_reconsent_is_overdue_creates_a_consent_deviation_for_review(world, vw):
    amend_consent(world, vw.participant_a1, window_days=5)  # re-consent due by 2025-03-10
    visit = record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    deviation = ProtocolDeviation.objects.get(scheduled_visit=visit)
    assert (deviation.category, deviation.created_automatically, deviation.review_status) == (
        "consent",
        True,
        "needs_review",
    )
    assert deviation.participant == vw.participant_a1 and deviation.study_site == world.site_a1
    assert deviation.occurred_on == D(2025, 3, 16) and deviation.identified_on == world.site_a1.local_today()
    assert "re-consent" in deviation.description and "due by 2025-03-10" in deviation.description
    assert AuditEvent.objects.filter(action="protocoldeviation.created", object_id=str(deviation.pk)).exists()


def test_correcting_the_visit_does_not_add_a_second_automatic_deviation(world, vw):
    amend_consent(world, vw.participant_a1, window_days=5)
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    record(ScheduledVisit.objects.get(pk=vw.visit_a1.pk), D(2025, 3, 17), by=world.crm, reason="typo")
    assert ProtocolDeviation.objects.filter(scheduled_visit=vw.visit_a1).count() == 1


def test_a_visit_before_the_reconsent_deadline_creates_no_deviation(world, vw):
    amend_consent(world, vw.participant_a1, window_days=5)  # overdue today, not on the visit date
    record(vw.visit_a1, D(2025, 3, 9), by=world.crm)  # early for its window: that deviation is another
    assert not ProtocolDeviation.objects.filter(scheduled_visit=vw.visit_a1, category="consent").exists()


def test_a_visit_without_a_new_consent_version_creates_no_deviation(world, vw):
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    assert not ProtocolDeviation.objects.filter(scheduled_visit=vw.visit_a1).exists()


def test_an_unscheduled_visit_while_reconsent_is_overdue_also_creates_one(world, vw):
    amend_consent(world, vw.participant_a1, window_days=5)
    visit = services.record_unscheduled_visit(
        participant=vw.participant_a1, done_on=D(2025, 3, 12), modality="on_site", by=world.crm
    )
    assert visit.deviations.get().category == "consent"


# Reads: next visit, missed visits ---------------------------------------------------------------------


def test_next_scheduled_visit_is_the_next_not_done_after_the_date(world, vw):
    participant = vw.participant_a1
    assert selectors.next_scheduled_visit_on(participant, after=D(2025, 3, 3)) == D(2025, 3, 17)
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    assert selectors.next_scheduled_visit_on(participant, after=D(2025, 3, 3)) == D(2025, 3, 31)
    assert selectors.next_scheduled_visit_on(participant, after=D(2025, 8, 30)) is None


def test_next_scheduled_visits_of_many_participants_in_one_read(world, vw, django_assert_num_queries):
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    ids = [vw.participant_a1.pk, vw.participant_a2.pk, vw.participant_b1.pk]
    with django_assert_num_queries(1):
        found = selectors.next_scheduled_visits_on(ids, after=D(2025, 3, 3))
    assert found == {ids[0]: D(2025, 3, 31), ids[1]: D(2025, 3, 17), ids[2]: None}


def test_missed_visits_are_worked_out_from_the_site_today(world, vw, clock):
    clock.move_to("2025-03-20T16:00Z")  # 17:00 on the 20th in Berlin, 01:00 on the 21st in Tokyo
    rows = {r.visit.definition.code: r.standing for r in selectors.visit_rows(world.crm, vw.participant_a1)}
    assert rows == {"BL": "missed", "W2": "due", "W4": "upcoming", "FU": "upcoming", "EOS": "upcoming"}
    missed = selectors.missed_visits_for(world.crm, world.study_a)
    assert sorted((v.participant.number, v.definition.code) for v in missed) == [
        ("101-001", "BL"),
        ("102-001", "BL"),
        ("102-001", "W2"),  # its window closed on the 20th, and it is the 21st in Tokyo
    ]


def test_a_recorded_visit_is_no_longer_missed(world, vw, clock):
    clock.move_to("2025-03-22T12:00Z")
    record(vw.visit_a1, D(2025, 3, 21), by=world.crm)
    missed = selectors.missed_visits_for(world.crm, world.study_a).filter(participant=vw.participant_a1)
    assert [v.definition.code for v in missed] == ["BL"]


def test_visits_after_a_participant_left_are_not_missed(world, vw, clock):
    clock.move_to("2025-05-01T12:00Z")
    participant = make_participant(
        world.site_a1, "101-050", by=world.admin, status="withdrawn", status_changed_on=D(2025, 3, 18)
    )
    services.schedule_visits(
        participant=participant, anchor="randomization", anchor_on=D(2025, 3, 3), by=None
    )
    standings = {r.visit.definition.code: r.standing for r in selectors.visit_rows(world.crm, participant)}
    assert standings == {
        "BL": "missed",
        "W2": "not_expected",
        "W4": "not_expected",
        "FU": "not_expected",
        "EOS": "not_expected",
    }
    missed = selectors.missed_visits_for(world.crm, world.study_a).filter(participant=participant)
    assert [v.definition.code for v in missed] == ["BL"]


def test_the_monitor_sees_only_their_site_missed_visits(world, vw, clock):
    clock.move_to("2025-03-25T12:00Z")
    numbers = {v.participant.number for v in selectors.missed_visits_for(world.monitor, world.study_a)}
    assert numbers == {"101-001"}


# Schedule of activities ------------------------------------------------------------------------------


def test_a_visit_code_is_unique_in_a_protocol_version(world, vw):
    with pytest.raises(ValidationError) as error:
        services.create_visit_definition(
            protocol_version=world.protocol_a,
            code="W2",
            name="Again",
            visit_type="treatment",
            day_offset=15,
            modalities=["on_site"],
            by=world.crm,
        )
    assert "already has a visit with this code" in error.value.message_dict["code"][0]


def test_a_definition_needs_known_modalities(world, vw):
    with pytest.raises(ValidationError) as error:
        services.create_visit_definition(
            protocol_version=world.protocol_a,
            code="W8",
            name="Week 8",
            visit_type="treatment",
            day_offset=56,
            modalities=["teleport"],
            by=world.crm,
        )
    assert "Unknown modality: teleport" in error.value.message_dict["modalities"][0]


@pytest.mark.parametrize("person", ["monitor", "auditor", "coordinator"])
def test_only_the_crm_changes_the_schedule(world, vw, person):
    with pytest.raises(PermissionDenied):
        services.update_visit_definition(
            definition=vw.definition("W2"), changes={"name": "x"}, by=world.people[person], reason="r"
        )


def test_a_visit_participants_are_scheduled_for_cannot_be_deleted(world, vw):
    with pytest.raises(ValidationError):
        services.delete_visit_definition(definition=vw.definition("W2"), by=world.crm, reason="r")
    services.delete_visit_definition(definition=vw.definition("SCR"), by=world.crm, reason="Not in protocol")
    assert not vw.definition("SCR").__class__.objects.filter(code="SCR").exists()


# Deviations ------------------------------------------------------------------------------------------


def deviation_values(world, **overrides):
    values = dict(
        study_site=world.site_a1,
        category="procedure",
        description="Blood sample not taken.",
        occurred_on=D(2025, 4, 1),
        identified_on=D(2025, 4, 2),
    )
    return {**values, **overrides}


def test_the_monitor_records_a_deviation_at_their_site_but_not_elsewhere(world, vw):
    deviation = services.create_deviation(study=world.study_a, by=world.monitor, **deviation_values(world))
    assert deviation.review_status == "needs_review" and not deviation.created_automatically
    with pytest.raises(PermissionDenied):
        services.create_deviation(
            study=world.study_a, by=world.monitor, **deviation_values(world, study_site=world.site_a2)
        )


@pytest.mark.parametrize("person", ["auditor", "sponsor_viewer"])
def test_read_only_roles_record_no_deviation(world, vw, person):
    with pytest.raises(PermissionDenied):
        services.create_deviation(study=world.study_a, by=world.people[person], **deviation_values(world))


def test_deviation_dates_are_checked(world, vw):
    with pytest.raises(ValidationError) as error:
        services.create_deviation(
            study=world.study_a, by=world.crm, **deviation_values(world, identified_on=D(2025, 3, 30))
        )
    assert error.value.message_dict["identified_on"] == [
        "A deviation is identified on or after the day it occurred."
    ]


def test_a_participant_of_another_site_is_refused(world, vw):
    with pytest.raises(ValidationError) as error:
        services.create_deviation(
            study=world.study_a, by=world.crm, **deviation_values(world, participant=vw.participant_a2)
        )
    assert "participant" in error.value.message_dict


def test_a_site_of_another_study_is_refused(world, vw):
    with pytest.raises(ValidationError) as error:
        services.create_deviation(
            study=world.study_a, by=world.admin, **deviation_values(world, study_site=world.site_b1)
        )
    assert "study_site" in error.value.message_dict


def test_the_crm_reviews_a_deviation_once(world, vw):
    reviewed = services.review_deviation(
        deviation=vw.deviation_a1, by=world.crm, important=True, reason="Confirmed"
    )
    assert (reviewed.review_status, reviewed.reviewed_by, reviewed.important) == ("reviewed", world.crm, True)
    assert reviewed.reviewed_on == world.site_a1.local_today()
    assert AuditEvent.objects.filter(action="protocoldeviation.reviewed", object_id=str(reviewed.pk)).exists()
    with pytest.raises(ValidationError):
        services.review_deviation(deviation=reviewed, by=world.crm)


def test_the_monitor_does_not_review(world, vw):
    with pytest.raises(PermissionDenied):
        services.review_deviation(deviation=vw.deviation_a1, by=world.monitor)


def test_an_automatic_deviation_is_reviewed_not_deleted(world, vw):
    amend_consent(world, vw.participant_a1, window_days=5)
    visit = record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    with pytest.raises(ValidationError):
        services.delete_deviation(deviation=visit.deviations.get(), by=world.crm, reason="r")
    services.delete_deviation(deviation=vw.deviation_a1, by=world.crm, reason="Entered twice")
    assert not ProtocolDeviation.objects.filter(pk=vw.deviation_a1.pk).exists()


# Deviation trend -------------------------------------------------------------------------------------


def test_deviations_per_participant_month_by_site(world, vw, clock):
    clock.move_to("2025-06-01T12:00Z")
    # At A1 a second participant, enrolled 2025-04-01 and withdrawn 2025-05-01: 30 more days.
    make_participant(
        world.site_a1,
        "101-002",
        by=world.admin,
        enrolled_on=D(2025, 4, 1),
        status="withdrawn",
        status_changed_on=D(2025, 5, 1),
    )
    services.create_deviation(study=world.study_a, by=world.crm, important=True, **deviation_values(world))
    trend = selectors.deviation_trend(world.crm, world.study_a)
    a1, a2 = trend.rows
    # A1: 92 days (1 March to 1 June) + 30 days = 122 days = 122 / 30.4375 participant-months.
    assert (a1.site, a1.participants, a1.rate.deviations, a1.rate.important) == (world.site_a1, 2, 2, 1)
    assert a1.rate.participant_months == pytest.approx(122 / 30.4375)
    assert a1.rate.rate == pytest.approx(2 / (122 / 30.4375))
    assert a1.rate.important_rate == pytest.approx(1 / (122 / 30.4375))
    assert (a2.participants, a2.rate.deviations, a2.rate.important) == (1, 1, 1)
    assert a2.rate.participant_months == pytest.approx(92 / 30.4375)
    assert trend.total.rate.deviations == 3 and trend.total.rate.participant_months == pytest.approx(
        214 / 30.4375
    )


def test_the_monitor_sees_the_trend_of_their_site_only(world, vw):
    trend = selectors.deviation_trend(world.monitor, world.study_a)
    assert [row.site for row in trend.rows] == [world.site_a1]
    assert trend.total.rate.deviations == 1


def test_the_trend_takes_the_same_number_of_queries_whatever_the_number_of_participants(
    world, vw, django_assert_max_num_queries
):
    for i in range(20):
        participant = make_participant(world.site_a1, f"101-3{i:02d}", by=world.admin)
        services.create_deviation(
            study=world.study_a, by=world.crm, participant=participant, **deviation_values(world)
        )
    with django_assert_max_num_queries(6):
        trend = selectors.deviation_trend(world.crm, world.study_a)
    assert trend.rows[0].participants == 21 and trend.rows[0].rate.deviations == 21
