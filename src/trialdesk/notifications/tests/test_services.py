"""notify(): each recipient told once, never someone who may not see the study or, for a text about a
participant, its subject-level data; marking read; e-mail choices."""

import pytest
from django.core.exceptions import ValidationError

from trialdesk.notifications import selectors, services
from trialdesk.notifications.models import Notification


def test_notify_tells_each_recipient_once(world):
    made = services.notify(
        [world.crm, world.crm, world.monitor], "assigned", "Do it", "/x/", study=world.study_a
    )
    assert sorted(n.recipient.username for n in made) == sorted([world.crm.username, world.monitor.username])


def test_notify_leaves_out_people_outside_the_study(world):
    made = services.notify([world.crm, world.coordinator], "assigned", "Do it", "/x/", study=world.study_a)
    assert [n.recipient for n in made] == [world.crm]  # the coordinator of site B1 works on study B


def test_a_text_about_a_participant_never_reaches_the_sponsor_viewer(world):
    made = services.notify(
        [world.crm, world.sponsor_viewer], "signal_opened", "AE-0001 of 101-001", "/x/",
        study=world.study_a, subject_level=True,
    )  # fmt: skip
    assert [n.recipient for n in made] == [world.crm]
    study_level = services.notify(
        [world.sponsor_viewer], "report_to_review", "Report", "/x/", study=world.study_a
    )
    assert len(study_level) == 1


def test_an_unknown_kind_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as refused:
        services.notify([world.crm], "gossip", "t", "/x/")
    assert "kind" in refused.value.message_dict


def test_marking_read_one_and_all(world):
    first, second = (services.notify([world.crm], "assigned", f"n{i}", "/x/")[0] for i in range(2))
    assert selectors.unread_count(world.crm) == 2
    services.mark_read(notification=first, by=world.crm)
    services.mark_read(notification=first, by=world.crm)  # again: no change
    assert selectors.unread_count(world.crm) == 1
    assert services.mark_all_read(by=world.crm) == 1
    assert selectors.unread_count(world.crm) == 0
    with pytest.raises(ValidationError):
        services.mark_read(notification=second, by=world.monitor)


def test_a_person_who_leaves_the_study_no_longer_reads_its_notifications(world):
    services.notify([world.monitor], "assigned", "At A1", "/x/", study=world.study_a)
    assert selectors.unread_count(world.monitor) == 1
    world.monitor.role_assignments.all().delete()
    from trialdesk.core.scoping import forget_role_facts

    forget_role_facts(world.monitor)
    assert selectors.unread_count(world.monitor) == 0
    assert Notification.objects.filter(recipient=world.monitor).count() == 1


def test_delivery_choices_are_stored_and_checked(world):
    services.set_deliveries(person=world.crm, deliveries={"overdue": "daily"})
    assert selectors.deliveries_for(world.crm)["overdue"] == "daily"
    assert selectors.deliveries_for(world.crm)["assigned"] == "immediately"
    with pytest.raises(ValidationError) as refused:
        services.set_deliveries(person=world.crm, deliveries={"overdue": "hourly"})
    assert "overdue" in refused.value.message_dict


def test_people_who_work_at_sites_land_on_my_work_and_a_crm_may_choose_it(world):
    assert selectors.home_of(world.coordinator) == "my_work"
    assert selectors.home_of(world.monitor) == "my_work"
    for person in (world.crm, world.sponsor_viewer, world.auditor, world.admin, world.outsider):
        assert selectors.home_of(person) == "portfolio", person
    services.set_home(person=world.crm, home="my_work")
    assert selectors.home_of(world.crm) == "my_work"
    services.set_home(person=world.monitor, home="portfolio")
    assert selectors.home_of(world.monitor) == "portfolio"


def test_a_person_who_may_no_longer_see_participants_no_longer_reads_about_them(world):
    from trialdesk.core.roles import Role
    from trialdesk.core.scoping import forget_role_facts

    services.notify(
        [world.crm],
        "escalation",
        "Overdue: re-consent 101-001",
        "/x/",
        study=world.study_a,
        subject_level=True,
    )
    services.notify([world.crm], "report_to_review", "Report of site 101", "/y/", study=world.study_a)
    world.crm.role_assignments.update(role=Role.SPONSOR_VIEWER)
    forget_role_facts(world.crm)
    assert [n.title for n in selectors.inbox_for(world.crm)] == ["Report of site 101"]
