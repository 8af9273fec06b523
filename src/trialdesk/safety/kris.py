"""The adverse-event KRIs (gsm kri0001 and kri0002), counted per site for statistics.kris.

Registered as a core.extensions.KriSource in the app's ready(); the scoring is statistics.kris's. The
definitions are gsm's (reportingMetrics: rate per days on study, thresholds -2,-1,2,3, at least 30
days), so a site that reports few events for its exposure is flagged as well as one that reports many.
"""

from collections import defaultdict

from django.db.models import Count, Q

from trialdesk.analytics.kri import KriDefinition
from trialdesk.core.extensions import KriContext
from trialdesk.safety.models import AdverseEvent
from trialdesk.subjects.kris import participant_rows
from trialdesk.visits import rules as visit_rules

Counts = dict[int, tuple[float, float]]  # site id -> (numerator, denominator)
# gsm_reportingMetrics, kri0001 and kri0002: "-2,-1,2,3" (under-reporting flagged earlier) and 30 days.
AE_THRESHOLDS = (-2.0, -1.0, 2.0, 3.0)
THIRTY_DAYS = 30

DEFINITIONS = (
    KriDefinition(
        order=70,
        key="ae_rate",
        name="Adverse event rate",
        numerator="Adverse events",
        denominator="Participant-days on study",
        metric_type="rate",
        thresholds=AE_THRESHOLDS,
        min_denominator=THIRTY_DAYS,
        per="per participant-day",
        gsm_id="kri0001",
        counts=(
            "Adverse events recorded at the site (serious or not, each event once whatever its follow-ups), "
            "over the days its participants have been on study: from enrollment to the site's today, or to "
            "the day they completed, withdrew, were lost to follow-up or died."
        ),
    ),
    KriDefinition(
        order=80,
        key="sae_rate",
        name="Serious adverse event rate",
        numerator="Serious adverse events",
        denominator="Participant-days on study",
        metric_type="rate",
        thresholds=AE_THRESHOLDS,
        min_denominator=THIRTY_DAYS,
        per="per participant-day",
        gsm_id="kri0002",
        counts=(
            "Adverse events meeting a seriousness criterion in their latest version, over the days the "
            "site's participants have been on study."
        ),
    ),
)


def _participant_days(context: KriContext) -> dict[int, int]:
    """Participant-days on study per site, from the participants grouped by site, status and dates."""
    days: dict[int, int] = defaultdict(int)
    for row in participant_rows(context):
        site_id = row["study_site_id"]
        days[site_id] += row["n"] * visit_rules.participant_days(
            enrolled_on=row["enrolled_on"],
            status=row["status"],
            status_changed_on=row["status_changed_on"],
            today=context.today_of[site_id],
        )
    return dict(days)


def counts(context: KriContext) -> dict[str, Counts]:
    events = {
        row["study_site_id"]: row
        for row in AdverseEvent.objects.filter(study=context.study)
        .values("study_site_id")
        .annotate(events=Count("id"), serious=Count("id", filter=Q(serious=True)))
        .order_by()
    }
    days = _participant_days(context)
    sites = set(days) | set(events)
    return {
        "ae_rate": {site: (events.get(site, {}).get("events", 0), days.get(site, 0)) for site in sites},
        "sae_rate": {site: (events.get(site, {}).get("serious", 0), days.get(site, 0)) for site in sites},
    }
