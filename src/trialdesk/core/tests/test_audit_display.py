"""The History tab reads like a CRM would write it: actions in words, field labels, choice labels, related
records by name, Yes/No, dates, "—", the time with its zone; masked values stay masked; the raw codes
stay in what is stored and exported."""

import datetime as dt

from django.db import transaction

from tests.factories import make_site, make_study
from trialdesk.core import audit
from trialdesk.core.audit.display import action_label, readable_events, time_label
from trialdesk.core.models import AuditEvent
from trialdesk.studies import services


def record(target, action, *, before, after, by, study_id):
    with transaction.atomic():
        return audit.record(
            target=target, action=action, by=by, before=before, after=after, study_id=study_id
        )


def rows_of(event, user):
    (row,) = readable_events([AuditEvent.objects.get(pk=event.pk)], user)
    return {change.label: (change.old, change.new) for change in row.changes}, row


def history(client, study) -> str:
    return client.get(f"/studies/{study.pk}/?tab=history").content.decode()


def test_action_is_the_record_types_label_and_the_verb_in_words():
    cases = [
        ("studies.milestone", "milestone.updated", "Milestone updated"),
        ("studies.protocolversion", "protocolversion.status_changed", "Protocol version: status changed"),
        ("studies.study", "study.created", "Study created"),
    ]
    for object_type, action, expected in cases:
        assert action_label(AuditEvent(object_type=object_type, action=action)) == expected


def test_time_is_shown_in_utc_with_its_zone_named():
    moment = dt.datetime(2026, 12, 7, 15, 3, 59, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert time_label(moment) == "2026-12-07 14:03 UTC"


def test_changed_fields_are_named_by_their_verbose_names_with_dates_as_iso(world):
    event = record(
        world.milestone_a,
        "milestone.updated",
        before={"forecast_on": "2025-06-20", "note": ""},
        after={"forecast_on": "2025-07-15", "note": "late"},
        by=world.crm,
        study_id=world.study_a.pk,
    )
    changes, row = rows_of(event, world.crm)
    assert changes == {"Forecast date": ("2025-06-20", "2025-07-15"), "Note": ("—", "late")}
    assert row.action == "Milestone updated" and row.record_type == "Milestone"


def test_choice_values_are_shown_by_their_labels(world):
    event = record(
        world.protocol_a,
        "protocolversion.status_changed",
        before={"status": "draft"},
        after={"status": "effective"},
        by=world.crm,
        study_id=world.study_a.pk,
    )
    changes, row = rows_of(event, world.crm)
    assert changes == {"Status": ("Draft", "Effective")}
    assert row.action == "Protocol version: status changed"


def test_booleans_are_yes_or_no_and_nothing_is_a_dash(world):
    event = record(
        world.study_a,
        "study.updated",
        before={"blinded": False, "allow_over_enrollment": None},
        after={"blinded": True, "allow_over_enrollment": True},
        by=world.crm,
        study_id=world.study_a.pk,
    )
    changes, _ = rows_of(event, world.crm)
    assert changes["Blinded"] == ("No", "Yes")
    assert next(v for k, v in changes.items() if k.startswith("Allow over")) == ("—", "Yes")


def test_foreign_keys_are_shown_by_the_related_records_name_and_a_deleted_one_says_so(world):
    event = record(
        world.milestone_a,
        "milestone.updated",
        before={"study_site": world.site_a1.pk},
        after={"study_site": 999_999},
        by=world.crm,
        study_id=world.study_a.pk,
    )
    changes, _ = rows_of(event, world.crm)
    assert changes == {"Study site": (str(world.site_a1), "#999999 (deleted)")}


def test_a_subject_level_record_is_named_only_to_those_who_may_see_it(world):
    from django.utils import timezone

    from tests.factories import make_participant

    participant = make_participant(world.site_a1, "A1-002", by=world.crm)
    event = AuditEvent(
        occurred_at=timezone.now(),
        action="randomizationslot.updated",
        object_type="randomization.randomizationslot",
        object_id="1",
        study_id=world.study_a.pk,
        changes={"used_by": [None, participant.pk]},
    )
    (crm_row,) = readable_events([event], world.crm)
    (sponsor_row,) = readable_events([event], world.sponsor_viewer)
    assert crm_row.changes[0].new == str(participant)
    assert sponsor_row.changes[0].new == f"#{participant.pk}"


def test_masked_values_stay_masked(world):
    event = record(
        world.milestone_a,
        "milestone.updated",
        before={"kind": None, "study_site": None, "forecast_on": None},
        after={"kind": "custom", "study_site": world.site_a1.pk, "forecast_on": "2025-07-15"},
        by=world.crm,
        study_id=world.study_a.pk,
    )
    event = AuditEvent.objects.get(pk=event.pk)
    # As the registered masks leave an event: every value that was set replaced by a word.
    event.changes = {field: [None, "blinded"] for field in event.changes}
    (row,) = readable_events([event], world.crm)
    assert {change.new for change in row.changes} == {"blinded"}


def test_history_tab_shows_labels_names_and_the_zone_not_raw_codes(world, client_for):
    services.update_milestone(
        milestone=world.milestone_a,
        changes={"forecast_on": dt.date(2025, 7, 15), "study_site": world.site_a2},
        by=world.crm,
        reason="site contracts delayed",
    )
    body = history(client_for(world.crm), world.study_a)
    assert "Milestone updated" in body and "milestone.updated" not in body
    assert "Forecast date" in body and "forecast_on" not in body
    assert str(world.site_a2) in body
    assert " UTC</time>" in body


def test_export_keeps_the_raw_codes(world, client_for):
    services.update_milestone(
        milestone=world.milestone_a, changes={"forecast_on": dt.date(2025, 7, 15)}, by=world.crm, reason="x"
    )
    exported = client_for(world.crm).get(f"/studies/{world.study_a.pk}/history/export/?format=csv")
    body = exported.content.decode()
    assert "milestone.updated" in body and "forecast_on" in body


def test_a_sponsor_viewer_still_sees_no_subject_level_event(world, client_for):
    from tests.factories import make_participant

    participant = make_participant(world.site_a1, "A1-001", by=world.crm)
    number = participant.number
    assert number in history(client_for(world.crm), world.study_a)
    assert number not in history(client_for(world.sponsor_viewer), world.study_a)


def add_events(world, study, total):
    for n in range(AuditEvent.objects.filter(study_id=study.pk).count(), total):
        if n % 2:
            make_site(study, f"4{n:02d}", by=world.crm, institution=world.site_b1.institution)
        else:
            services.create_milestone(
                study=study, kind="custom", name=f"Visit {n}", by=world.crm, baseline_on=dt.date(2026, 1, 1)
            )


def test_history_tab_queries_do_not_grow_with_the_events(world, client_for, django_assert_max_num_queries):
    """The related records (study sites, institutions, studies) are named in bulk, not per row."""
    crm = client_for(world.crm)
    study = make_study("QC-1", by=world.crm)
    url = f"/studies/{study.pk}/?tab=history"
    add_events(world, study, 5)
    assert AuditEvent.objects.filter(study_id=study.pk).count() == 5
    with django_assert_max_num_queries(25) as few:
        assert crm.get(url).status_code == 200
    add_events(world, study, 30)
    assert AuditEvent.objects.filter(study_id=study.pk).count() == 30
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = crm.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('<tr id="event-') == 30
