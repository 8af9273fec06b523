""" "My work" turned into notifications by `trialdesk notify scan`: overdue and due-within-24-hours items
for their person, escalation of the overdue ones to the study's CRM, each raised once however often the
scan runs.

As in core's my-work tests: an SAE at site 101 (aware 2025-03-10) gives on 2025-03-20 coordinator Cora the
site's report to the sponsor, overdue since 2025-03-11, and her missing GCP certificate to record.
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tests.factories import make_participant
from trialdesk.notifications.models import Notification
from trialdesk.people.tests.factories import make_staff
from trialdesk.safety.tests.factories import AWARE, make_adverse_event


@pytest.fixture
def cora(world, clock):
    person = make_staff(world.site_a1, "coordinator_cora", by=world.admin)
    make_adverse_event(make_participant(world.site_a1, "101-001", by=world.admin), by=world.crm)
    clock.move_to(AWARE + dt.timedelta(days=10))
    return person


def scan() -> str:
    out = io.StringIO()
    call_command("notify", "scan", "--as-of", "2025-03-20", stdout=out)
    return out.getvalue()


def kinds_of(person) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=person).values_list("kind", "title"))


def test_overdue_work_notifies_its_person_and_escalates_to_the_crm_once(world, cora):
    printed = scan()
    assert "Scan of 2025-03-20:" in printed
    mine = kinds_of(cora)
    assert [kind for kind, _ in mine] == ["overdue", "overdue"]
    assert any(title.startswith("Report to Sponsor:") for _, title in mine)
    escalated = [title for kind, title in kinds_of(world.crm) if kind == "escalation"]
    assert len(escalated) == 2 and all(t.startswith("Overdue for Coordinator Cora: ") for t in escalated)
    assert kinds_of(world.sponsor_viewer) == []
    before = Notification.objects.count()
    assert "0 notifications raised" in scan()
    assert Notification.objects.count() == before


def test_a_scanned_notification_links_to_where_the_work_is_done(world, cora):
    scan()
    obligation = Notification.objects.get(recipient=cora, title__startswith="Report to Sponsor:")
    assert obligation.url.startswith("/obligations/") and obligation.study == world.study_a
    assert obligation.body == "Due 2025-03-11 (overdue)"


def test_an_item_that_is_also_the_crms_own_is_not_escalated_to_them(world, cora, clock):
    from tests.factories import make_user
    from trialdesk.core.services import assign_role

    officer = make_user("safety_sol")
    assign_role(user=officer, role="safety", study=world.study_a, by=world.admin)
    clock.move_to(dt.datetime(2025, 3, 27, 12, 0, tzinfo=dt.UTC))  # the sponsor's reports are overdue too
    out = io.StringIO()
    call_command("notify", "scan", "--as-of", "2025-03-27", stdout=out)
    crm = kinds_of(world.crm)
    own = [title for kind, title in crm if kind == "overdue"]
    escalated = [title for kind, title in crm if kind == "escalation"]
    assert own and all(title.startswith("Report to ") for title in own)
    assert len(escalated) == 2 and not any("EudraVigilance" in title for title in escalated)
    assert [kind for kind, _ in kinds_of(officer)] == ["overdue"] * len(own)
