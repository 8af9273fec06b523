"""The study page's Risk indicators tab: one KRI's funnel plot and the sites' flags."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from trialdesk.statistics import kris
from trialdesk.statistics.funnel import Curve, Dot, funnel_svg


def funnel_of(result: kris.KriResult) -> str:
    """The KRI's funnel plot: one dot per visible site, the bounds of the KRI's thresholds."""
    spec = result.definition
    dots = [
        Dot(row.denominator, row.metric, row.flag, _dot_label(row))
        for row in result.rows
        if row.metric is not None
    ]
    curves = []
    if result.bounds is not None:
        bounds = result.bounds
        for threshold in sorted(set(bounds.threshold.tolist())):
            chosen = bounds.threshold == threshold
            curves.append(
                Curve(threshold, bounds.denominator[chosen].tolist(), bounds.metric[chosen].tolist())
            )
    name = _(spec.name)
    if spec.per:
        y_label = _("%(name)s (%(per)s)") % {"name": name, "per": _(spec.per)}
    else:
        y_label = _("%(name)s (share)") % {"name": name}
    title = _("Funnel plot: %(name)s") % {"name": name}
    empty = _("No site has data for this indicator yet.")
    return funnel_svg(
        dots, curves, x_label=_(spec.denominator), y_label=y_label, title=title, empty_text=empty
    )


def _dot_label(row) -> str:
    return _("Site %(number)s: %(flag)s") % {"number": row.site.site_number, "flag": row.flag_label}


def kri_tab(request, study) -> dict:
    """The chosen KRI (``?kri=``) for the sites the user may see, scored across the whole study."""
    result = kris.study_kri(request.user, study, request.GET.get("kri", kris.default_kri()))
    spec = result.definition
    return {
        "kri": result,
        "kri_rows": [
            {
                "site": row.site,
                "numerator": row.numerator,
                "denominator": row.denominator,
                "metric_label": spec.format_metric(row.metric),
                "score": row.score,
                "flag_label": row.flag_label,
                "flag_class": row.flag_class,
            }
            for row in result.rows
        ],
        "overall_label": spec.format_metric(result.overall_metric) + (f" {_(spec.per)}" if spec.per else ""),
        "kri_definitions": kris.kri_definitions(),
        "funnel_plot": mark_safe(funnel_of(result)),  # built from escaped text and numbers only
    }
