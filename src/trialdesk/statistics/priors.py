"""The rate prior a study's forecast uses, and why: a typed rate, the study's own sites, or what the same
institutions, the same therapeutic area or all earlier studies in Trialdesk recruited (rules.prior_source)."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from trialdesk.analytics import forecasting
from trialdesk.statistics import history, rules
from trialdesk.studies.models import Study

DAYS_PER_MONTH = 365.25 / 12

SOURCE_LABELS = {
    rules.PRIOR_TYPED: "typed rate",
    rules.PRIOR_STUDY: "this study's own sites",
    rules.PRIOR_INSTITUTIONS: "the same institutions in earlier studies",
    rules.PRIOR_AREA: "the same therapeutic area in earlier studies",
    rules.PRIOR_TRIALDESK: "all earlier studies in Trialdesk",
    rules.PRIOR_NONE: "none",
}


@dataclass(frozen=True)
class PriorChoice:
    """The chosen source, the prior itself (None when the study's own sites are fitted, or none is
    available) and a sentence saying why, with the figures behind it."""

    source: str
    why: str
    prior: forecasting.RatePrior | None = None
    sites: int = 0
    studies: int = 0

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self.source]

    def digest_part(self) -> dict:
        prior = self.prior
        return {"source": self.source, "alpha": prior and prior.alpha, "beta": prior and prior.beta}


def choose_prior(
    study: Study,
    *,
    as_of: dt.date,
    institution_ids: set[int],
    recruiting_sites: int,
    recruits: int,
    rate_per_month: float | None = None,
) -> PriorChoice:
    """The prior for ``study``'s forecast as of ``as_of`` (see rules.prior_source for the order)."""
    if rate_per_month is not None:
        return PriorChoice(
            rules.PRIOR_TYPED,
            _(
                "A typed rate of %(rate)s participants per site per month (sites spread about it "
                "by a Gamma shape of %(shape)s)."
            )
            % {"rate": f"{rate_per_month:g}", "shape": f"{forecasting.priors.TYPED_SHAPE:g}"},
            forecasting.prior_from_rate(rate_per_month / DAYS_PER_MONTH),
        )
    if rules.study_has_enough_data(recruiting_sites=recruiting_sites, recruits=recruits):
        return PriorChoice(
            rules.PRIOR_STUDY,
            _("Estimated from this study's %(sites)s recruiting sites (%(recruits)s enrolled).")
            % {"sites": recruiting_sites, "recruits": recruits},
        )
    records = history.site_records(excluding=study, as_of=as_of)
    groups = {
        rules.PRIOR_INSTITUTIONS: [r for r in records if r.institution_id in institution_ids],
        rules.PRIOR_AREA: [r for r in records if r.therapeutic_area == study.therapeutic_area],
        rules.PRIOR_TRIALDESK: records,
    }
    source = rules.prior_source(
        typed=False,
        recruiting_sites=recruiting_sites,
        recruits=recruits,
        history={key: (len(rows), sum(r.enrolled for r in rows)) for key, rows in groups.items()},
    )
    if source == rules.PRIOR_NONE:
        return PriorChoice(
            source,
            _(
                "%(sites)s site(s) recruiting and %(recruits)s enrolled: the forecast needs at least two "
                "active sites with a recruit to tell how rates vary between sites, and no earlier study in "
                "Trialdesk has two sites with recruits to stand in. Type an expected rate per site per month "
                "(the what-if form) to forecast with it."
            )
            % {"sites": recruiting_sites, "recruits": recruits},
        )
    return _from_history(source, groups[source], study)


def _from_history(source: str, rows: list[history.SiteRecord], study: Study) -> PriorChoice:
    prior = forecasting.prior_from_history([r.enrolled for r in rows], [r.exposure_days for r in rows])
    studies = len({r.study_id for r in rows})
    months = sum(r.exposure_days for r in rows) / DAYS_PER_MONTH
    where = {
        rules.PRIOR_INSTITUTIONS: _("at the same institutions"),
        rules.PRIOR_AREA: _("in %(area)s") % {"area": study.therapeutic_area},
        rules.PRIOR_TRIALDESK: _("in Trialdesk"),
    }[source]
    return PriorChoice(
        source,
        ngettext(
            "This study has too little recruitment of its own, so the rates of %(sites)s sites %(where)s "
            "in %(studies)s earlier study stand in: %(enrolled)s enrolled over %(months)s site-months, "
            "a mean of %(mean)s per site per month.",
            "This study has too little recruitment of its own, so the rates of %(sites)s sites %(where)s "
            "in %(studies)s earlier studies stand in: %(enrolled)s enrolled over %(months)s site-months, "
            "a mean of %(mean)s per site per month.",
            studies,
        )
        % {
            "sites": len(rows),
            "where": where,
            "studies": studies,
            "enrolled": sum(r.enrolled for r in rows),
            "months": f"{months:.0f}",
            "mean": f"{prior.mean_rate * DAYS_PER_MONTH:.2f}",
        },
        prior,
        sites=len(rows),
        studies=studies,
    )
