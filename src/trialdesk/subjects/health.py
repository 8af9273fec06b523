"""The compliance dimension's re-consent: participants the reader may see who are overdue or soon due to
re-consent on a newly approved consent version (subjects.rules.reconsent_health), from the re-consent
worklist, linking to the Re-consent tab. Participants are subject-level: readers who may not see them
(sponsor viewers) read "hidden", never "none pending"."""

from django.utils.translation import gettext_noop

from trialdesk.core.extensions import HealthReading, HealthSignal
from trialdesk.core.health import hidden_reading
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.studies.pages import tab_url
from trialdesk.subjects import rules
from trialdesk.subjects.selectors import reconsent_worklist


def read_reconsent(user, study, today) -> HealthReading:
    """The worklist's constant number of queries (see selectors.reconsent_worklist)."""
    url = tab_url(study, "reconsent")
    if not can_see_subject_level(user, study.pk):
        return hidden_reading("compliance", gettext_noop("participants' re-consents"), url)
    pending = [(item.due_on, item.is_overdue) for item in reconsent_worklist(user, study)]
    colour, why = rules.reconsent_health(pending, today=today)
    return HealthReading("compliance", colour, why, url)


RECONSENT = HealthSignal("reconsent", "Re-consent", read_reconsent, order=60, subject_level=True)
