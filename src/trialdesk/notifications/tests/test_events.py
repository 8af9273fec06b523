"""Notifications raised by the apps that own the event: an action item assigned (monitoring), a visit report
submitted for the CRM's review (monitoring), a signal opened from a red KRI flag (monitoring)."""

import datetime as dt
from types import SimpleNamespace

from tests.factories import PASSWORD
from trialdesk.monitoring import services
from trialdesk.monitoring.services import signals as signal_services
from trialdesk.monitoring.tests import factories as f
from trialdesk.notifications.models import Notification


def told(person, kind) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind))


def test_an_action_item_tells_its_owner_and_a_new_owner(world):
    coordinator = f.coordinator_at(world, world.site_a1)
    report = f.conducted(world).report
    item = services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        report=report,
        description="File the ICF",
        owner=coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    [notification] = told(coordinator, "assigned")
    assert notification.title == "Assigned to you: AI-0001 at site 101: File the ICF"
    assert notification.url == f"/monitoring/action-items/{item.pk}/" and notification.study == world.study_a
    assert told(world.monitor, "assigned") == []  # who raised it is not told of their own act
    other = f.coordinator_at(world, world.site_a1, "coordinator_two")
    services.update_action_item(item=item, changes={"owner": other}, by=world.monitor, reason="holiday")
    assert len(told(other, "assigned")) == 1
    item = item.__class__.objects.get(pk=item.pk)
    services.update_action_item(
        item=item, changes={"description": "ICF v2"}, by=world.monitor, reason="wording"
    )
    assert len(told(other, "assigned")) == 1  # the owner did not change


def test_a_submitted_report_asks_the_crm_to_review_it(world):
    report = f.answered(f.conducted(world).report, by=world.monitor)
    services.submit_report(report=report, by=world.monitor, password=PASSWORD)
    [notification] = told(world.crm, "report_to_review")
    assert notification.title.startswith(
        "Review the report of the Interim monitoring (IMV) 2025-03-10 at site 101"
    )
    assert notification.url == f"/monitoring/reports/{report.pk}/"
    assert told(world.monitor, "report_to_review") == []


def test_an_opened_signal_tells_the_crm_and_the_sites_cra(world, monkeypatch):
    f.set_up(world)
    red = SimpleNamespace(site=world.site_a1, flag=2, score=3.2, metric=0.04)
    kri = SimpleNamespace(definition=SimpleNamespace(key="ae_rate", name="AE rate"), rows=[red])
    monkeypatch.setattr(signal_services.kris, "all_site_kris", lambda study: [kri])
    monkeypatch.setattr(signal_services, "store_tier_flags", lambda **kwargs: None)
    [signal] = services.open_signals(study=world.study_a, by=world.crm, today=dt.date(2025, 5, 1))
    assert told(world.crm, "signal_opened") == []  # the CRM opened it
    [notification] = told(world.monitor, "signal_opened")
    assert notification.title == "Signal opened: ae_rate at site 101 (2)"
    assert notification.url == f"/monitoring/signals/{signal.pk}/"
    services.open_signals(study=world.study_a, by=None, today=dt.date(2025, 5, 2))  # still open: no new one
    assert len(told(world.monitor, "signal_opened")) == 1
