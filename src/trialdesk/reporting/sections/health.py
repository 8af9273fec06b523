"""Health: each dimension's colour and why, as the study overview's Health panel reads it (core.health)."""

from django.utils.translation import gettext

from trialdesk.core import health
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.studies import stored_health


def study_block(user, study, today) -> ReportBlock | None:
    dimensions = health.study_health(user, study, today)
    if not dimensions:
        return None
    rows = tuple(
        (
            gettext(dimension.label),
            gettext(dimension.colour_word),
            "; ".join(part.reading.why for part in dimension.parts),
        )
        for dimension in dimensions
    )
    worst = health.worst_colour(dimension.colour for dimension in dimensions)
    return ReportBlock(
        summary=gettext("Overall: %(colour)s (the worst of its dimensions).")
        % {"colour": gettext(health.COLOUR_WORDS[worst])},
        tables=(ReportTable((gettext("Dimension"), gettext("Status"), gettext("Why")), rows),),
    )


def portfolio_block(user, studies, today) -> ReportBlock | None:
    """The stored colours (computed when the data change and nightly: stored_health), read in one query
    whatever the number of studies; the study report reads each signal live."""
    if not studies:
        return None
    stored = stored_health.stored_for(user, studies)
    rows = []
    for study in studies:
        if study.pk not in stored:
            rows.append((study.code, gettext("not yet computed"), *("" for _ in health.DIMENSIONS)))
            continue
        overall, colours, _ = stored[study.pk]
        words = (
            gettext(health.COLOUR_WORDS.get(colours[key], colours[key]))
            if key in colours
            else gettext("not measured")
            for key in health.DIMENSIONS
        )
        rows.append((study.code, gettext(health.COLOUR_WORDS.get(overall, overall)), *words))
    computed = [when for _, _, when in stored.values()]
    oldest = (
        " "
        + gettext("Computed as the data changed; the oldest at %(at)s UTC.")
        % {"at": f"{min(computed):%Y-%m-%d %H:%M}"}
        if computed
        else ""
    )
    return ReportBlock(
        summary=gettext("Each study's overall health is the worst of its dimensions.") + oldest,
        tables=(
            ReportTable(
                (
                    gettext("Study"),
                    gettext("Overall"),
                    *(gettext(label) for label in health.DIMENSIONS.values()),
                ),
                tuple(rows),
            ),
        ),
    )
