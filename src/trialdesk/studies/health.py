"""The timeline dimension of a study's health: how far its open milestones run behind their baselines
(studies.rules.timeline_health), linking to the Milestones tab. Site staff read the study-wide milestones
and their own sites' (the milestones they may see)."""

from django.utils.translation import gettext

from trialdesk.core.extensions import HealthReading, HealthSignal, HealthThreshold
from trialdesk.studies import rules
from trialdesk.studies.models import Milestone
from trialdesk.studies.pages import tab_url
from trialdesk.studies.thresholds import threshold


def read_timeline(user, study, today) -> HealthReading:
    """One query: the open milestones of the study the reader may see."""
    rows = (
        Milestone.objects.visible_to(user)
        .filter(study=study, actual_on__isnull=True)
        .select_related("study_site")
    )
    return _reading(study, [(_label(milestone), milestone) for milestone in rows], today)


def read_site_timeline(user, study_site, today) -> HealthReading:
    """The site's own open milestones (activation, its first participant in), judged as the study's."""
    rows = Milestone.objects.visible_to(user).filter(study_site=study_site, actual_on__isnull=True)
    return _reading(study_site.study, [(milestone.label, milestone) for milestone in rows], today)


def _reading(study, labelled: list, today) -> HealthReading:
    """The timeline colour of (label, open milestone) pairs by the study's red threshold."""
    open_milestones = [
        (label, rules.days_late(baseline_on=m.baseline_on, forecast_on=m.forecast_on, today=today))
        for label, m in labelled
    ]
    colour, why = rules.timeline_health(
        open_milestones, red_after_days=int(threshold(study, RED_AFTER_DAYS.key))
    )
    return HealthReading("timeline", colour, why, tab_url(study, "milestones"))


def _label(milestone: Milestone) -> str:
    if not milestone.study_site_id:
        return str(milestone.label)
    return gettext("%(milestone)s (site %(number)s)") % {
        "milestone": milestone.label,
        "number": milestone.study_site.site_number,
    }


TIMELINE = HealthSignal("timeline", "Milestones", read_timeline, order=20, read_site=read_site_timeline)
RED_AFTER_DAYS = HealthThreshold(
    "timeline.red_after_days",
    "Timeline turns red when an open milestone is more days late than",
    rules.TIMELINE_RED_AFTER_DAYS,
    "days",
    minimum=0,
    maximum=3650,
    order=20,
)
