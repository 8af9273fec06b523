"""Key risk indicators per site from Trialdesk's own records, scored with gsm's methods (analytics.kri).

Each KRI is defined as data (KRI_DEFINITIONS) the way gsm's reportingMetrics table defines its own
(Gilead-BioStats/gsm 2.2.3, ``gsm_reportingMetrics``: metric, numerator, denominator, model, analysis
type, thresholds, nMinDenominator); where a KRI corresponds to one of gsm's, its id is given and its
thresholds and minimum denominator are gsm's. The counts behind every KRI are aggregated per site in
SQL, in a fixed number of queries whatever the number of sites.

Scoring is study-wide: every site of the study counts in the overall rate, the over-dispersion factor
and the funnel bounds, so a site's score is the same whoever looks at it. A person who sees only some
sites (site staff, a site monitor) gets only those sites' rows; the other sites reach them only through
those study-wide figures, never as rows.

Adverse-event KRIs (gsm kri0001, kri0002) wait for Trialdesk's adverse events; data-entry timeliness
and query KRIs (kri0008–kri0011) wait for data capture.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import Count, F, Q

from trialdesk.analytics import kri
from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study
from trialdesk.subjects import rules as subject_rules
from trialdesk.subjects.models import Participant, ScreeningEntry, ScreeningOutcome
from trialdesk.visits import rules as visit_rules
from trialdesk.visits.models import DeviationCategory, ProtocolDeviation, ScheduledVisit, VisitStatus

# gsm's flagging thresholds for most KRIs (gsm_reportingMetrics: "-3,-2,2,3").
GSM_THRESHOLDS = (-3.0, -2.0, 2.0, 3.0)
# gsm's minimum denominator for participant-time KRIs is 30 days on study; ours count months.
THIRTY_DAYS_IN_MONTHS = 30 / visit_rules.DAYS_PER_MONTH

FLAG_LABELS = {2: "Red (high)", 1: "Amber (high)", 0: "Green", -1: "Amber (low)", -2: "Red (low)"}


@dataclass(frozen=True)
class KriDefinition:
    """One KRI as gsm's reportingMetrics describes one: what it counts, how it is scored and flagged."""

    key: str
    name: str
    numerator: str
    denominator: str
    metric_type: str  # "rate" (events per unit of exposure) or "binary" (a proportion of a count)
    thresholds: tuple[float, ...]
    min_denominator: float
    counts: str  # what exactly is counted, in the CRM's words
    gsm_id: str | None = None  # the gsm KRI it corresponds to
    method: str = "normal"  # normal approximation with over-dispersion (gsm's Adjusted Z-Score)
    per: str = ""  # unit of the metric shown to people: "per participant-month" or "" for a share

    def format_metric(self, metric: float | None) -> str:
        if metric is None or math.isnan(metric):
            return "—"
        return f"{metric:.3f}" if self.metric_type == "rate" else f"{metric:.1%}"


KRI_DEFINITIONS = (
    KriDefinition(
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
    KriDefinition(
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
KRI_KEYS = tuple(d.key for d in KRI_DEFINITIONS)
DEFAULT_KRI = KRI_KEYS[0]


def definition(key: str) -> KriDefinition:
    """The KRI with this key; the default one for an unknown key."""
    return next((d for d in KRI_DEFINITIONS if d.key == key), KRI_DEFINITIONS[0])


@dataclass(frozen=True)
class SiteKri:
    """One visible site's KRI: its counts, metric, score and flag (None where gsm leaves them empty)."""

    site: StudySite
    numerator: float
    denominator: float
    metric: float | None
    score: float | None
    flag: int | None

    @property
    def flag_label(self) -> str:
        if self.flag is None:
            return "Not scored" if self.metric is not None else "No data"
        return FLAG_LABELS.get(self.flag, str(self.flag))

    @property
    def flag_class(self) -> str:
        """red, amber, green or none: for colouring the row."""
        if self.flag is None:
            return "none"
        return {0: "green", 1: "amber", -1: "amber"}.get(self.flag, "red")


@dataclass(frozen=True)
class KriResult:
    """One KRI scored over all the study's sites, with the rows of the sites the reader may see.

    ``rows`` are in gsm's summary order (red high, red low, amber high, amber low, green, then sites
    without a score, then sites with no denominator at all). ``bounds`` is None when there is nothing
    to draw (no site with a denominator).
    """

    definition: KriDefinition
    rows: list[SiteKri]
    overall_metric: float | None
    dispersion: float | None
    sites_scored: int  # sites of the whole study with a denominator, visible or not
    bounds: kri.FunnelBounds | None

    @property
    def flagged(self) -> list[SiteKri]:
        return [row for row in self.rows if row.flag not in (None, 0)]


# Counts per site, aggregated in SQL -------------------------------------------------------------------

Counts = dict[int, tuple[float, float]]  # site id -> (numerator, denominator)


def _participant_counts(study: Study, today_of: dict[int, date]) -> dict[str, Counts]:
    """Participant-months, enrolled and discontinued participants per site, from one grouped query.

    Grouped by site, status and the two dates, so the database returns one row per distinct
    combination, not per participant; exposure is then added up with the visits app's rule.
    """
    months: dict[int, float] = defaultdict(float)
    enrolled: dict[int, int] = defaultdict(int)
    discontinued: dict[int, int] = defaultdict(int)
    rows = (
        Participant.objects.filter(study=study)
        .values("study_site_id", "status", "enrolled_on", "status_changed_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        site_id, status, n = row["study_site_id"], row["status"], row["n"]
        days = visit_rules.participant_days(
            enrolled_on=row["enrolled_on"],
            status=status,
            status_changed_on=row["status_changed_on"],
            today=today_of[site_id],
        )
        months[site_id] += n * days / visit_rules.DAYS_PER_MONTH
        if status in subject_rules.COUNTS_AS_ENROLLED:
            enrolled[site_id] += n
        if status in (subject_rules.WITHDRAWN, subject_rules.LOST_TO_FOLLOW_UP):
            discontinued[site_id] += n
    return {"months": dict(months), "enrolled": dict(enrolled), "discontinued": dict(discontinued)}


def _deviation_counts(study: Study) -> dict[int, dict]:
    consent = Q(
        category=DeviationCategory.CONSENT,
        participant__isnull=False,
        participant__status__in=subject_rules.COUNTS_AS_ENROLLED,
    )
    return {
        row["study_site_id"]: row
        for row in ProtocolDeviation.objects.filter(study=study)
        .values("study_site_id")
        .annotate(
            important=Count("id", filter=Q(important=True)),
            consent_participants=Count("participant", filter=consent, distinct=True),
        )
        .order_by()
    }


def _screening_counts(study: Study) -> Counts:
    rows = (
        ScreeningEntry.objects.filter(study=study)
        .values("study_site_id")
        .annotate(
            failed=Count("id", filter=Q(outcome=ScreeningOutcome.FAILED)),
            decided=Count("id", filter=~Q(outcome=ScreeningOutcome.PENDING)),
        )
        .order_by()
    )
    return {row["study_site_id"]: (row["failed"], row["decided"]) for row in rows}


def _visit_counts(study: Study, today_of: dict[int, date]) -> tuple[Counts, Counts]:
    """(out of window, done) and (missed, expected) per site, from two grouped queries.

    Visits not done are grouped by the day their window closes, so whether each group is missed can
    be decided against its own site's today (sites are in different time zones).
    """
    scheduled = ScheduledVisit.objects.filter(participant__study=study, definition__isnull=False)
    done = {
        row["participant__study_site_id"]: (row["out"], row["done"])
        for row in scheduled.filter(status=VisitStatus.DONE)
        .values("participant__study_site_id")
        .annotate(done=Count("id"), out=Count("id", filter=Q(out_of_window=True)))
        .order_by()
    }
    left_first = Q(
        participant__status__in=visit_rules.ENDED_STATUSES,
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
        if row["window_end_on"] < today_of[site_id]:
            missed[site_id] += row["n"]
    expected = {
        site_id: (missed.get(site_id, 0), missed.get(site_id, 0) + done.get(site_id, (0, 0))[1])
        for site_id in set(done) | set(missed)
    }
    return done, expected


def _counts_by_kri(study: Study, sites: list[StudySite]) -> dict[str, Counts]:
    """For each KRI, (numerator, denominator) of every site of the study that has any."""
    today_of = {site.pk: site.local_today() for site in sites}
    people = _participant_counts(study, today_of)
    deviations = _deviation_counts(study)
    window, missed = _visit_counts(study, today_of)

    def over(numerators: dict, denominators: dict) -> Counts:
        return {site: (numerators.get(site, 0), d) for site, d in denominators.items()}

    return {
        "important_deviation_rate": {
            site: (deviations.get(site, {}).get("important", 0), people["months"].get(site, 0.0))
            for site in set(people["months"]) | set(deviations)
        },
        "screen_failure_rate": _screening_counts(study),
        "discontinuation_rate": over(people["discontinued"], people["enrolled"]),
        "visit_window_rate": window,
        "missed_visit_rate": missed,
        "consent_deviation_rate": over(
            {site: row["consent_participants"] for site, row in deviations.items()}, people["enrolled"]
        ),
    }


# Scoring ----------------------------------------------------------------------------------------------


def _score(spec: KriDefinition, counts: Counts, sites: list[StudySite], visible_ids: set[int]) -> KriResult:
    """Score one KRI over all sites, then keep the rows of the visible ones."""
    site_ids = [site.pk for site in sites]
    numerator = np.array([counts.get(pk, (0, 0))[0] for pk in site_ids], dtype=np.float64)
    denominator = np.array([counts.get(pk, (0, 0))[1] for pk in site_ids], dtype=np.float64)
    visible = [site for site in sites if site.pk in visible_ids]
    if not (denominator > 0).any():
        rows = [SiteKri(site, 0, 0, None, None, None) for site in visible]
        return KriResult(spec, rows, None, None, 0, None)
    scores = kri.score_groups(
        np.array(site_ids),
        numerator,
        denominator,
        method=spec.method,
        metric_type=spec.metric_type,
        thresholds=spec.thresholds,
        min_denominator=spec.min_denominator,
    )
    by_id = {site.pk: site for site in sites}
    rows = [
        SiteKri(
            site=by_id[int(scores.group_ids[i])],
            numerator=float(scores.numerator[i]),
            denominator=float(scores.denominator[i]),
            metric=float(scores.metric[i]),
            score=_number(scores.score[i]),
            flag=None if np.isnan(scores.flag[i]) else int(scores.flag[i]),
        )
        for i in scores.summary_order()
        if int(scores.group_ids[i]) in visible_ids
    ]
    scored_ids = {row.site.pk for row in rows}
    rows += [SiteKri(site, 0, 0, None, None, None) for site in visible if site.pk not in scored_ids]
    return KriResult(
        definition=spec,
        rows=rows,
        overall_metric=_number(scores.overall_metric),
        dispersion=_number(scores.dispersion),
        sites_scored=len(scores.group_ids),
        bounds=_bounds(spec, scores),
    )


def _number(value) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _bounds(spec: KriDefinition, scores: kri.KriScores) -> kri.FunnelBounds | None:
    """Funnel bounds at the KRI's thresholds; none where gsm's arithmetic has none (NaN dispersion)."""
    if scores.dispersion is None or np.isnan(scores.dispersion):
        return None
    with np.errstate(invalid="ignore"):
        return kri.funnel_bounds(
            scores.numerator,
            scores.denominator,
            method=spec.method,
            metric_type=spec.metric_type,
            thresholds=spec.thresholds,
        )


def _study_sites(user: User, study: Study) -> tuple[list[StudySite], set[int]]:
    """All the study's sites (for study-wide scoring) and the ids of those the user may see."""
    sites = list(StudySite.objects.filter(study=study).select_related("institution").order_by("site_number"))
    visible_ids = set(StudySite.objects.visible_to(user).filter(study=study).values_list("pk", flat=True))
    return sites, visible_ids


def study_kris(user: User, study: Study, keys: tuple[str, ...] = KRI_KEYS) -> list[KriResult]:
    """The study's KRIs (``keys``, all by default) per site, rows limited to the sites `user` may see.

    The caller has already found `study` among the studies the user may see (out of scope is 404).
    """
    sites, visible_ids = _study_sites(user, study)
    counts = _counts_by_kri(study, sites)
    return [_score(definition(key), counts[key], sites, visible_ids) for key in keys]


def study_kri(user: User, study: Study, key: str) -> KriResult:
    """One KRI of the study (the default one for an unknown key)."""
    return study_kris(user, study, (definition(key).key,))[0]
