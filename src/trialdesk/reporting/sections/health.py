"""Health: each dimension's colour and why, as the study overview's Health panel reads it (core.health)."""

from trialdesk.core import health
from trialdesk.core.extensions import ReportBlock, ReportTable


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
    if not studies:
        return None
    rows = []
    for study in studies:
        dimensions = health.study_health(user, study, today)
        colours = {dimension.key: dimension.colour_word for dimension in dimensions}
        overall = health.COLOUR_WORDS[health.worst_colour(d.colour for d in dimensions)]
        rows.append((study.code, overall, *(colours.get(key, "not measured") for key in health.DIMENSIONS)))
    return ReportBlock(
        summary="Each study's overall health is the worst of its dimensions.",
        tables=(ReportTable(("Study", "Overall", *health.DIMENSIONS.values()), tuple(rows)),),
    )
