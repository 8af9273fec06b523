"""The visit and deviation KRIs, counted per site for statistics.kris.

Registered as a core.extensions.KriSource in the app's ready(); the scoring is statistics.kris's.
"""

from collections import defaultdict

from django.db.models import Count, F, Q

from trialdesk.analytics.kri import GSM_THRESHOLDS, KriDefinition
from trialdesk.core.extensions import KriContext
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects.kris import participant_rows, participants_by_status
from trialdesk.visits import rules
from trialdesk.visits.models import DeviationCategory, ProtocolDeviation, ScheduledVisit, VisitStatus

Counts = dict[int, tuple[float, float]]  # site id -> (numerator, denominator)
# gsm's minimum denominator for participant-time KRIs is 30 days on study; ours count months.
THIRTY_DAYS_IN_MONTHS = 30 / rules.DAYS_PER_MONTH

DEFINITIONS = (
    KriDefinition(
        order=10,
        key="important_deviation_rate",
        name="Important protocol deviation rate",
        numerator="Important protocol deviations",
        denominator="Participant-months on study",
        metric_type="rate",
        thresholds=GSM_THRESHOLDS,
        min_denominator=THIRTY_DAYS_IN_MONTHS,
        per="per participant-month",
        gsm_id="kri0004",
        counts=(
            "Deviations marked important at the site (about a participant or the site as a whole), over "
            "the time its participants have been on study: from enrollment to the site's today, or to "
            "the day they completed, withdrew, were lost to follow-up or died. gsm counts days on study; "
            "months give the same scores and flags, and the minimum is gsm's 30 days."
        ),
    ),
    KriDefinition(
        order=40,
        key="visit_window_rate",
        name="Visit window deviation rate",
        numerator="Visits done out of window",
        denominator="Scheduled visits done",
        metric_type="binary",
        thresholds=GSM_THRESHOLDS,
        min_denominator=10,
        counts=(
            "Scheduled visits done outside their window, over scheduled visits done. Unscheduled visits "
            "have no window and are not counted. No gsm counterpart; the minimum of 10 visits is "
            "Trialdesk's."
        ),
    ),
    KriDefinition(
        order=50,
        key="missed_visit_rate",
        name="Missed visit rate",
        numerator="Missed visits",
        denominator="Visits expected by now",
        metric_type="binary",
        thresholds=GSM_THRESHOLDS,
        min_denominator=10,
        counts=(
            "Scheduled visits not done whose window closed before the site's today, over the scheduled "
            "visits expected by now (those done, plus those missed). A visit whose window closed after "
            "the participant left the study was not expected. No gsm counterpart; the minimum of 10 "
            "visits is Trialdesk's."
        ),
    ),
    KriDefinition(
        order=60,
        key="consent_deviation_rate",
        name="Consent compliance",
        numerator="Participants with a consent deviation",
        denominator="Enrolled participants",
        metric_type="binary",
        thresholds=GSM_THRESHOLDS,
        min_denominator=3,
        counts=(
            "Enrolled participants with at least one deviation in the category consent (e.g. consent "
            "obtained late, or a visit while re-consent was overdue), over the participants ever "
            "enrolled. Consent deviations about the site as a whole are not counted. No gsm "
            "counterpart; the minimum of 3 participants is gsm's for participant counts."
        ),
    ),
)


def _participant_months(context: KriContext) -> dict[int, float]:
    """Participant-months on study per site, added up with the visits app's rule over the participants
    grouped by site, status and their two dates (one row per distinct combination, not per person)."""
    months: dict[int, float] = defaultdict(float)
    for row in participant_rows(context):
        site_id = row["study_site_id"]
        days = rules.participant_days(
            enrolled_on=row["enrolled_on"],
            status=row["status"],
            status_changed_on=row["status_changed_on"],
            today=context.today_of[site_id],
        )
        months[site_id] += row["n"] * days / rules.DAYS_PER_MONTH
    return dict(months)


def _deviation_counts(context: KriContext) -> dict[int, dict]:
    consent = Q(
        category=DeviationCategory.CONSENT,
        participant__isnull=False,
        participant__status__in=subject_rules.COUNTS_AS_ENROLLED,
    )
    return {
        row["study_site_id"]: row
        for row in ProtocolDeviation.objects.filter(study=context.study)
        .values("study_site_id")
        .annotate(
            important=Count("id", filter=Q(important=True)),
            consent_participants=Count("participant", filter=consent, distinct=True),
        )
        .order_by()
    }


def _visit_counts(context: KriContext) -> tuple[Counts, Counts]:
    """(out of window, done) and (missed, expected) per site, from two grouped queries.

    Visits not done are grouped by the day their window closes, so whether each group is missed can
    be decided against its own site's today (sites are in different time zones).
    """
    scheduled = ScheduledVisit.objects.filter(participant__study=context.study, definition__isnull=False)
    done = {
        row["participant__study_site_id"]: (row["out"], row["done"])
        for row in scheduled.filter(status=VisitStatus.DONE)
        .values("participant__study_site_id")
        .annotate(done=Count("id"), out=Count("id", filter=Q(out_of_window=True)))
        .order_by()
    }
    left_first = Q(
        participant__status__in=rules.ENDED_STATUSES,
        participant__status_changed_on__lte=F("window_end_on"),
    )
    missed: dict[int, int] = defaultdict(int)
    not_done = (
        scheduled.filter(status=VisitStatus.SCHEDULED, window_end_on__isnull=False)
        .exclude(left_first)
        .values("participant__study_site_id", "window_end_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in not_done:
        site_id = row["participant__study_site_id"]
        if row["window_end_on"] < context.today_of[site_id]:
            missed[site_id] += row["n"]
    expected = {
        site_id: (missed.get(site_id, 0), missed.get(site_id, 0) + done.get(site_id, (0, 0))[1])
        for site_id in set(done) | set(missed)
    }
    return done, expected


def counts(context: KriContext) -> dict[str, Counts]:
    months = _participant_months(context)
    deviations = _deviation_counts(context)
    enrolled = participants_by_status(context)["enrolled"]
    window, missed = _visit_counts(context)
    return {
        "important_deviation_rate": {
            site: (deviations.get(site, {}).get("important", 0), months.get(site, 0.0))
            for site in set(months) | set(deviations)
        },
        "visit_window_rate": window,
        "missed_visit_rate": missed,
        "consent_deviation_rate": {
            site: (deviations.get(site, {}).get("consent_participants", 0), n) for site, n in enrolled.items()
        },
    }
