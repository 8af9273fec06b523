"""`trialdesk notify digest --background`: each person's daily digest built and sent by the worker
(core.tasks), one task per person, so one slow or failing mailbox holds up no one else's and a failure
is kept on that person's task (retried by running the command again: a sent digest is never resent)."""

import datetime as dt

from trialdesk.core import tasks
from trialdesk.core.models import User
from trialdesk.notifications import digest as digests
from trialdesk.notifications.models import DigestSent
from trialdesk.notifications.scan import people_with_work


@tasks.tracked_task
def send_digest(progress: tasks.Progress, *, person_id: int, day: str) -> None:
    """Build and send `person_id`'s digest for `day` (ISO date), unless it is empty or was sent."""
    person = User.objects.get(pk=person_id)
    progress.update(done=0, total=1, message=f"digest of {person.username}")
    found = digests.digests(dt.date.fromisoformat(day), people=[person])
    sent = bool(found) and digests.send(found[0])
    progress.update(done=1, message="sent" if sent else "nothing to send")


def queue_digests(day: dt.date) -> list:
    """Queue a digest task for everyone with work who has not had `day`'s digest; their TaskProgress."""
    already = set(DigestSent.objects.filter(day=day).values_list("person_id", flat=True))
    return [
        tasks.start(
            send_digest,
            title=f"Digest of {person.username} for {day.isoformat()}",
            by=None,
            key=f"digest:{person.pk}:{day.isoformat()}",
            person_id=person.pk,
            day=day.isoformat(),
        )
        for person in people_with_work()
        if person.pk not in already and person.email
    ]
