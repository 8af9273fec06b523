"""API operations on a study's health: its red/amber/green reading per dimension with the reasons, and
the thresholds its CRM sets for it (audited)."""

from ninja import Field, Router, Schema

from trialdesk.core import health
from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    InSchema,
    actor,
    required_reason,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.studies import services, thresholds
from trialdesk.studies.models import Study

router = Router(tags=["health"])

COLOURS = "red, amber or green; a dimension may also be unknown (not enough data, or hidden from you)"


class ReasonOut(Schema):
    text: str = Field(description="Why, in words: the signal that read it and what it found.")
    url: str | None = Field(description="The page where the cause can be seen and acted on.")


class DimensionOut(Schema):
    name: str = Field(description="The dimension: enrollment, timeline, budget, safety, compliance, quality.")
    label: str
    status: str = Field(description=COLOURS)
    reasons: list[ReasonOut]


class HealthOut(Schema):
    overall: str = Field(
        description="red when any dimension is red; amber when any is amber or unknown; green only when "
        "every dimension is known to be green."
    )
    dimensions: list[DimensionOut]


class ThresholdOut(Schema):
    key: str
    label: str
    unit: str
    default: float
    value: float
    is_default: bool
    minimum: float
    maximum: float | None


class ThresholdsIn(InSchema):
    reason: str = required_reason("Why the thresholds change; kept on the audit trail.")
    values: dict[str, float | None] = Field(
        description="Threshold key -> its new value, or null to go back to the default. Keys left out "
        "keep their value."
    )


def health_out(request, dimensions: list[health.Dimension]) -> dict:
    """The health body the API answers for a study or a site, links made absolute."""
    return {
        "overall": health.overall_colour(dimensions),
        "dimensions": [
            {
                "name": dimension.key,
                "label": dimension.label,
                "status": dimension.colour,
                "reasons": [
                    {
                        "text": f"{part.label}: {part.reading.why}",
                        "url": request.build_absolute_uri(part.reading.url) if part.reading.url else None,
                    }
                    for part in dimension.parts
                ],
            }
            for dimension in dimensions
        ],
    }


@router.get("/studies/{study_id}/health", response=with_errors({200: HealthOut}, READ_ERRORS))
def get_study_health(request, study_id: int):
    """The study's health as the caller may see it: what is hidden from the caller reads unknown."""
    study = visible_or_404(request, Study, study_id)
    return health_out(request, health.study_health(actor(request), study))


@router.get(
    "/studies/{study_id}/health/thresholds",
    response=with_errors({200: list[ThresholdOut]}, READ_ERRORS),
)
def list_health_thresholds(request, study_id: int):
    study = visible_or_404(request, Study, study_id)
    return thresholds.rows_of(study)


@router.put(
    "/studies/{study_id}/health/thresholds",
    response=with_errors({200: list[ThresholdOut]}, WRITE_ERRORS),
)
def set_health_thresholds(request, study_id: int, payload: ThresholdsIn):
    """Set some of the study's thresholds (the CRM's); the others keep their value."""
    study = visible_or_404(request, Study, study_id)
    require(can_manage_study(actor(request), study.pk))
    return services.set_health_thresholds(
        study=study, values=payload.values, by=actor(request), reason=payload.reason
    )
