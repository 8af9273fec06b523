"""API operations on a protocol version's schedule of activities: its visit definitions."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    DeleteQuery,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    model_values,
    page_schema,
    paginate,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.visits import selectors, services
from trialdesk.visits.api.scope import _plain
from trialdesk.visits.models import VisitDefinition
from trialdesk.visits.permissions import can_manage_schedule
from trialdesk.visits.schemas import VisitDefinitionIn, VisitDefinitionOut, VisitDefinitionPatch

router = Router(tags=["visits"])


# Visit definitions ------------------------------------------------------------------------------------


def _visible_protocol_version(request, protocol_version_id: int):
    return get_object_or_404(selectors.protocol_versions_for(actor(request)), pk=protocol_version_id)


@router.get(
    "/protocol-versions/{protocol_version_id}/visit-definitions",
    response=with_errors({200: page_schema(VisitDefinitionOut)}, READ_ERRORS),
)
def list_visit_definitions(request, protocol_version_id: int, page: Query[PageQuery]):
    """The protocol version's schedule of activities, in schedule order."""
    version = _visible_protocol_version(request, protocol_version_id)
    return paginate(selectors.visit_definitions_for(actor(request), version), page)


@router.post(
    "/protocol-versions/{protocol_version_id}/visit-definitions",
    response=with_errors({201: VisitDefinitionOut}, WRITE_ERRORS),
)
def create_visit_definition(request, protocol_version_id: int, payload: VisitDefinitionIn):
    """Add a visit to the schedule (the study's CRM)."""
    version = _visible_protocol_version(request, protocol_version_id)
    require(can_manage_schedule(actor(request), version.study_id), services.ONLY_SCHEDULE_MANAGERS)
    definition = services.create_visit_definition(
        protocol_version=version, by=actor(request), reason=payload.reason, **_plain(model_values(payload))
    )
    return Status(201, definition)


@router.get(
    "/visit-definitions/{visit_definition_id}", response=with_errors({200: VisitDefinitionOut}, READ_ERRORS)
)
def get_visit_definition(request, visit_definition_id: int, response: HttpResponse):
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    set_etag(response, definition)
    return definition


@router.patch(
    "/visit-definitions/{visit_definition_id}", response=with_errors({200: VisitDefinitionOut}, WRITE_ERRORS)
)
def update_visit_definition(
    request,
    visit_definition_id: int,
    payload: VisitDefinitionPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change a visit of the schedule; visits already scheduled from it keep their dates."""
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    require(
        can_manage_schedule(actor(request), definition.protocol_version.study_id),
        services.ONLY_SCHEDULE_MANAGERS,
    )
    definition = services.update_visit_definition(
        definition=definition,
        changes=_plain(model_values(payload)),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, definition)
    return definition


@router.delete("/visit-definitions/{visit_definition_id}", response=with_errors({204: None}, WRITE_ERRORS))
def delete_visit_definition(
    request, visit_definition_id: int, removal: Query[DeleteQuery], if_match: IfMatch = None
):
    """Remove a visit nobody has been scheduled for yet."""
    definition = visible_or_404(request, VisitDefinition, visit_definition_id, "protocol_version")
    require(
        can_manage_schedule(actor(request), definition.protocol_version.study_id),
        services.ONLY_SCHEDULE_MANAGERS,
    )
    services.delete_visit_definition(
        definition=definition,
        by=actor(request),
        reason=removal.reason,
        expected_version=expected_version(removal.version, if_match),
    )
    return HttpResponse(status=204)
