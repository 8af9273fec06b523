"""API operations on ethics committees and the regulatory authorities."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
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
from trialdesk.core.permissions import can_manage_institutions, require
from trialdesk.regulatory import selectors, services
from trialdesk.regulatory.models import EthicsCommittee
from trialdesk.regulatory.schemas import (
    AuthorityOut,
    CommitteeFilters,
    CommitteeIn,
    CommitteeOut,
    CommitteePatch,
)

router = Router(tags=["regulatory"])


# Committees and authorities ---------------------------------------------------------------------------


@router.get("/ethics-committees", response=with_errors({200: page_schema(CommitteeOut)}, READ_ERRORS))
def list_committees(request, filters: Query[CommitteeFilters]):
    """The ethics committee directory."""
    committees = selectors.committees_for(actor(request))
    if filters.country:
        committees = committees.filter(country=filters.country.strip().upper())
    return paginate(committees, filters)


@router.post("/ethics-committees", response=with_errors({201: CommitteeOut}, CREATE_ERRORS))
def create_committee(request, payload: CommitteeIn):
    """Add a committee to the directory (administrators and CRMs)."""
    require(can_manage_institutions(actor(request)), services.ONLY_DIRECTORY_KEEPERS)
    return Status(
        201, services.create_committee(by=actor(request), reason=payload.reason, **model_values(payload))
    )


@router.get(
    "/ethics-committees/{ethics_committee_id}", response=with_errors({200: CommitteeOut}, READ_ERRORS)
)
def get_committee(request, ethics_committee_id: int, response: HttpResponse):
    committee = visible_or_404(request, EthicsCommittee, ethics_committee_id)
    set_etag(response, committee)
    return committee


@router.patch(
    "/ethics-committees/{ethics_committee_id}", response=with_errors({200: CommitteeOut}, WRITE_ERRORS)
)
def update_committee(
    request,
    ethics_committee_id: int,
    payload: CommitteePatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    committee = visible_or_404(request, EthicsCommittee, ethics_committee_id)
    require(can_manage_institutions(actor(request)), services.ONLY_DIRECTORY_KEEPERS)
    committee = services.update_committee(
        committee=committee,
        changes=model_values(payload),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, committee)
    return committee


@router.get("/regulatory-authorities", response=with_errors({200: page_schema(AuthorityOut)}, READ_ERRORS))
def list_authorities(request, page: Query[PageQuery]):
    """The regulatory authorities shipped with Trialdesk (reference data, read-only)."""
    return paginate(selectors.authorities(), page)
