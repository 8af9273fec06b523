"""Health: each dimension's colour and why, as the study overview's Health panel reads it (core.health)."""

from trialdesk.core import health
from trialdesk.core.extensions import ReportBlock, ReportTable
from trialdesk.studies import stored_health


def study_block(user, study, today) -> ReportBlock | None:
    dimensions = health.study_health(user, study, today)
    if not dimensions:
        return None
    rows = tuple(
        (dimension.label, dimension.colour_word, "; ".join(part.reading.why for part in dimension.parts))
        for dimension in dimensions
    )
    worst = health.worst_colour(dimension.colour for dimension in dimensions)
    return ReportBlock(
        summary=f"Overall: {health.COLOUR_WORDS[worst]} (the worst of its dimensions).",
        tables=(ReportTable(("Dimension", "Status", "Why"), rows),),
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
            rows.append((study.code, "not yet computed", *("" for _ in health.DIMENSIONS)))
            continue
        overall, colours, _ = stored[study.pk]
        words = (
            health.COLOUR_WORDS.get(colours[key], colours[key]) if key in colours else "not measured"
            for key in health.DIMENSIONS
        )
        rows.append((study.code, health.COLOUR_WORDS.get(overall, overall), *words))
    computed = [when for _, _, when in stored.values()]
    oldest = (
        f" Computed as the data changed; the oldest at {min(computed):%Y-%m-%d %H:%M} UTC."
        if computed
        else ""
    )
    return ReportBlock(
        summary=f"Each study's overall health is the worst of its dimensions.{oldest}",
        tables=(ReportTable(("Study", "Overall", *health.DIMENSIONS.values()), tuple(rows)),),
    )
