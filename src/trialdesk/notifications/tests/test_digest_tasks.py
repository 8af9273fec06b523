"""`trialdesk notify digest --background`: one task per person (run at once in the tests), each digest
sent once, the task's progress saying so."""

import datetime as dt

from trialdesk.core.models import TaskProgress
from trialdesk.notifications import services
from trialdesk.notifications.tests.test_mail import DAY, run


def test_the_digests_are_queued_one_task_per_person_and_sent_once(world, smtp, clock):
    clock.move_to(dt.datetime(2025, 3, 20, 6, 0, tzinfo=dt.UTC))
    services.notify(
        [world.crm], "signal_opened", "Signal opened at site 101", "/signals/1/", study=world.study_a
    )
    printed = run("digest", "--as-of", DAY, "--background")
    [message] = smtp.to(world.crm.email)
    assert "- ONC-A: Signal opened at site 101" in message.lines
    task = TaskProgress.objects.get(key=f"digest:{world.crm.pk}:{DAY}")
    assert (task.status, task.message) == ("done", "sent") and "queued for `trialdesk worker`" in printed
    run("digest", "--as-of", DAY, "--background")  # again: the sent digest is not queued again
    assert len(smtp.to(world.crm.email)) == 1
    assert TaskProgress.objects.filter(key=f"digest:{world.crm.pk}:{DAY}").count() == 1
