"""The safety dimension of a study's health: open reporting obligations overdue or due in the next 24
hours (safety.rules.windows.obligations_health), among those the reader may see, linking to the obligations
board.

Obligations hang off adverse events, which are subject-level: a reader who may not see them (a sponsor
viewer) reads "hidden", never a green "none overdue".
"""

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from trialdesk.core.extensions import GREEN, HealthReading, HealthSignal
from trialdesk.core.health import hidden_reading
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.safety.models import ObligationStatus, ReportingObligation
from trialdesk.safety.rules import windows
from trialdesk.safety.selectors import due_within
from trialdesk.studies.pages import tab_url


def read_safety(user, study, today) -> HealthReading:
    return _read(user, study, {"study": study})


def read_site_safety(user, study_site, today) -> HealthReading:
    """The open obligations of the site's own adverse events (the site's and the sponsor's reports)."""
    return _read(user, study_site.study, {"study_site": study_site})


def _read(user, study, where: dict) -> HealthReading:
    """One query: the reader's open obligations of the study counted by window. The windows are elapsed
    time from now (windows.Window), so `today` is not used."""
    if not can_see_subject_level(user, study.pk):
        return hidden_reading(
            "safety", gettext_noop("adverse events and their reporting obligations"), tab_url(study, "safety")
        )
    now = timezone.now()
    counts = (
        ReportingObligation.objects.visible_to(user)
        .filter(status=ObligationStatus.OPEN, **where)
        .aggregate(
            overdue=Count("pk", filter=due_within(windows.Window.OVERDUE, now)),
            due_24h=Count("pk", filter=due_within(windows.Window.NEXT_24H, now)),
        )
    )
    colour, why = windows.obligations_health(**counts)
    url = tab_url(study, "safety") if colour == GREEN else reverse("obligations_board")
    return HealthReading("safety", colour, why, url)


SAFETY = HealthSignal(
    "safety", "Reporting obligations", read_safety, order=40, read_site=read_site_safety, subject_level=True
)
