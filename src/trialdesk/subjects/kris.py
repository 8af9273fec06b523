"""The participant KRIs (screen failures, discontinuations), counted per site for statistics.kris.

Registered as a core.extensions.KriSource in the app's ready(); the scoring is statistics.kris's.
"""

from collections import defaultdict

from django.db.models import Count, Q

from trialdesk.analytics.kri import GSM_THRESHOLDS, KriDefinition
from trialdesk.core.extensions import KriContext
from trialdesk.subjects import rules
from trialdesk.subjects.models import Participant, ScreeningEntry, ScreeningOutcome

Counts = dict[int, tuple[float, float]]  # site id -> (numerator, denominator)

DEFINITIONS = (
    KriDefinition(
        order=20,
        key="screen_failure_rate",
        name="Screen failure rate",
        numerator="Screen failures",
        denominator="Screened people with an outcome",
        metric_type="binary",
        thresholds=GSM_THRESHOLDS,
        min_denominator=3,
        gsm_id="kri0012",
        counts=(
            "Entries of the site's screening log with the outcome screen failure, over entries with an "
            "outcome (eligible or screen failure); people still in screening are not counted yet."
        ),
    ),
    KriDefinition(
        order=30,
        key="discontinuation_rate",
        name="Study discontinuation rate",
        numerator="Participants withdrawn or lost to follow-up",
        denominator="Enrolled participants",
        metric_type="binary",
        thresholds=GSM_THRESHOLDS,
        min_denominator=3,
        gsm_id="kri0006",
        counts=(
            "Participants whose status is withdrawn or lost to follow-up, over the participants who were "
            "ever enrolled (everyone past screening, leavers included). Deaths are not counted as "
            "discontinuations."
        ),
    ),
)


def participant_rows(context: KriContext) -> list[dict]:
    """The study's participants grouped by site, status and their enrollment and last status dates:
    one query, shared by every KRI that counts participants (here and in visits.kris)."""
    return context.once(
        "subjects.participant_rows",
        lambda: list(
            Participant.objects.filter(study=context.study)
            .values("study_site_id", "status", "enrolled_on", "status_changed_on")
            .annotate(n=Count("id"))
            .order_by()
        ),
    )


def participants_by_status(context: KriContext) -> dict[str, dict[int, int]]:
    """Participants ever enrolled and those discontinued, per site."""
    enrolled: dict[int, int] = defaultdict(int)
    discontinued: dict[int, int] = defaultdict(int)
    for row in participant_rows(context):
        if row["status"] in rules.COUNTS_AS_ENROLLED:
            enrolled[row["study_site_id"]] += row["n"]
        if row["status"] in (rules.WITHDRAWN, rules.LOST_TO_FOLLOW_UP):
            discontinued[row["study_site_id"]] += row["n"]
    return {"enrolled": dict(enrolled), "discontinued": dict(discontinued)}


def _screening_counts(context: KriContext) -> Counts:
    rows = (
        ScreeningEntry.objects.filter(study=context.study)
        .values("study_site_id")
        .annotate(
            failed=Count("id", filter=Q(outcome=ScreeningOutcome.FAILED)),
            decided=Count("id", filter=~Q(outcome=ScreeningOutcome.PENDING)),
        )
        .order_by()
    )
    return {row["study_site_id"]: (row["failed"], row["decided"]) for row in rows}


def counts(context: KriContext) -> dict[str, Counts]:
    people = participants_by_status(context)
    return {
        "screen_failure_rate": _screening_counts(context),
        "discontinuation_rate": {
            site: (people["discontinued"].get(site, 0), n) for site, n in people["enrolled"].items()
        },
    }
