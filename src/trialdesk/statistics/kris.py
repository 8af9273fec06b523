"""Key risk indicators per site from Trialdesk's own records, scored with gsm's methods (analytics.kri).

Each KRI is defined as data (analytics.kri.KriDefinition) by the app whose records it counts, and
registered with its per-site counts (core.extensions.kris: subjects.kris, visits.kris, safety.kris),
the way gsm's reportingMetrics table defines its own
(Gilead-BioStats/gsm 2.2.3, ``gsm_reportingMetrics``: metric, numerator, denominator, model, analysis
type, thresholds, nMinDenominator); where a KRI corresponds to one of gsm's, its id is given and its
thresholds and minimum denominator are gsm's. The counts behind every KRI are aggregated per site in
SQL, in a fixed number of queries whatever the number of sites.

Scoring is study-wide: every site of the study counts in the overall rate, the over-dispersion factor
and the funnel bounds, so a site's score is the same whoever looks at it. A person who sees only some
sites (site staff, a site monitor) gets only those sites' rows; the other sites reach them only through
those study-wide figures, never as rows.

The adverse-event KRIs (gsm kri0001, kri0002) are safety's; data-entry timeliness and query KRIs
(kri0008–kri0011) wait for data capture.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from trialdesk.analytics import kri
from trialdesk.analytics.kri import KriDefinition
from trialdesk.core import extensions
from trialdesk.core.models import User
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

FLAG_LABELS = {
    2: _("Red (high)"),
    1: _("Amber (high)"),
    0: _("Green"),
    -1: _("Amber (low)"),
    -2: _("Red (low)"),
}


def kri_definitions() -> tuple[KriDefinition, ...]:
    """Every registered KRI (the apps' `kris` modules, core.extensions.kris), in their order."""
    found = [definition for source in extensions.kris for definition in source.definitions]
    return tuple(sorted(found, key=lambda definition: definition.order))


def kri_keys() -> tuple[str, ...]:
    return tuple(d.key for d in kri_definitions())


def default_kri() -> str:
    return kri_definitions()[0].key


def definition(key: str) -> KriDefinition:
    """The KRI with this key; the default one for an unknown key."""
    definitions = kri_definitions()
    return next((d for d in definitions if d.key == key), definitions[0])


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
            return str(_("Not scored") if self.metric is not None else _("No data"))
        return str(FLAG_LABELS.get(self.flag, self.flag))

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


Counts = dict[int, tuple[float, float]]  # site id -> (numerator, denominator)


def _counts_by_kri(study: Study, sites: list[StudySite]) -> dict[str, Counts]:
    """For each KRI, (numerator, denominator) of every site of the study that has any."""
    context = extensions.KriContext(
        study=study, today_of={site.pk: site.local_today() for site in sites}, memo={}
    )
    found: dict[str, Counts] = {}
    for source in extensions.kris:
        found.update(source.counts(context))
    return found


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


def study_kris(user: User, study: Study, keys: tuple[str, ...] | None = None) -> list[KriResult]:
    """The study's KRIs (``keys``, all by default) per site, rows limited to the sites `user` may see.

    The caller has already found `study` among the studies the user may see (out of scope is 404).
    """
    keys = kri_keys() if keys is None else keys
    sites, visible_ids = _study_sites(user, study)
    counts = _counts_by_kri(study, sites)
    return [_score(definition(key), counts.get(key, {}), sites, visible_ids) for key in keys]


def all_site_kris(study: Study, keys: tuple[str, ...] | None = None) -> list[KriResult]:
    """The study's KRIs with every site's row, for rules about sites rather than for a reader (a site's
    risk tier, the signals a red flag opens); pages and the API use `study_kris`."""
    keys = kri_keys() if keys is None else keys
    sites = list(StudySite.objects.filter(study=study).select_related("institution").order_by("site_number"))
    counts = _counts_by_kri(study, sites)
    every_site = {site.pk for site in sites}
    return [_score(definition(key), counts.get(key, {}), sites, every_site) for key in keys]


def study_kri(user: User, study: Study, key: str) -> KriResult:
    """One KRI of the study (the default one for an unknown key)."""
    return study_kris(user, study, (definition(key).key,))[0]
