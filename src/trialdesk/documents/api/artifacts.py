"""API operations on the TMF Reference Model: its artifacts, searched and filtered."""

from ninja import Query, Router

from trialdesk.core.apiutils import page_schema, with_errors
from trialdesk.documents import reference
from trialdesk.documents.api.scope import _list_page
from trialdesk.documents.schemas import ArtifactFilters, ArtifactOut

router = Router(tags=["documents"])


# The TMF Reference Model ------------------------------------------------------------------------------


def _artifact_out(item: reference.Artifact) -> dict:
    return {
        "number": item.number,
        "name": item.name,
        "zone_number": item.zone_number,
        "zone_name": item.zone_name,
        "section_number": item.section_number,
        "section_name": item.section_name,
        "core": item.core,
        "levels": list(item.levels),
        "ich_code": item.ich_code,
        "definition": item.definition,
    }


@router.get("/tmf-artifacts", response=with_errors({200: page_schema(ArtifactOut)}, (401, 422)))
def list_tmf_artifacts(request, filters: Query[ArtifactFilters]):
    """The artifacts of the shipped TMF Reference Model (CDISC v3.3.1), in the model's order."""
    search = filters.search.strip().lower()
    items = [
        _artifact_out(item)
        for item in reference.artifacts().values()
        if (not filters.level or filters.level in item.levels)
        and (not search or search in item.number or search in item.name.lower())
    ]
    return _list_page(items, filters)
