"""API operations on the signed-in user: who I am, my roles, my work, what I search for and my API tokens
(people are in people.directory)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core import search, services, work
from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    page_schema,
    paginate,
    with_errors,
)
from trialdesk.core.models import ApiToken, RoleAssignment
from trialdesk.core.schemas import (
    ApiTokenIn,
    ApiTokenOut,
    MeOut,
    NewApiTokenOut,
    SearchItemOut,
    SearchQuery,
    WorkItemOut,
)
from trialdesk.core.scoping import is_administrator

router = Router(tags=["me"])


@router.get("/me", response=with_errors({200: MeOut}, (401,)))
def get_me(request):
    """The signed-in user and the roles they hold, with the study or site each is held on."""
    user = actor(request)
    roles = RoleAssignment.objects.filter(user=user).select_related("study", "study_site").order_by("id")
    return {"user": user, "is_administrator": is_administrator(user), "roles": list(roles)}


@router.get("/me/work", response=with_errors({200: page_schema(WorkItemOut)}, READ_ERRORS))
def list_my_work(request, page: Query[PageQuery]):
    """What is due for me across my studies (the My work page), overdue first, then soonest due."""
    items = work.work_for(actor(request))
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


@router.get("/search", response=with_errors({200: page_schema(SearchItemOut)}, READ_ERRORS), tags=["search"])
def search_records(request, query: Query[SearchQuery]):
    """Studies, sites, participants (by participant or screening number) and documents matching `q`
    among those I may see, kind by kind (the Search page); participants only where I read them."""
    count, items = search.search_items(
        actor(request), query.q.strip(), limit=query.limit, offset=query.offset
    )
    return {"count": count, "limit": query.limit, "offset": query.offset, "items": items}


@router.get("/me/tokens", response=with_errors({200: page_schema(ApiTokenOut)}, READ_ERRORS))
def list_my_tokens(request, page: Query[PageQuery]):
    """My personal API tokens, newest first (never the tokens themselves, only their prefixes)."""
    return paginate(ApiToken.objects.filter(user=actor(request)), page)


@router.post("/me/tokens", response=with_errors({201: NewApiTokenOut}, CREATE_ERRORS))
def create_my_token(request, payload: ApiTokenIn):
    """Create a personal API token. The response carries the token once; only its hash is kept."""
    user = actor(request)
    token, raw = services.create_api_token(user=user, name=payload.name, by=user)
    return Status(201, {**ApiTokenOut.model_validate(token).model_dump(), "token": raw})


@router.delete("/me/tokens/{token_id}", response=with_errors({204: None}, WRITE_ERRORS))
def revoke_my_token(request, token_id: int):
    """Revoke one of my API tokens; requests using it are refused from now on."""
    user = actor(request)
    token = get_object_or_404(ApiToken.objects.filter(user=user), pk=token_id)
    services.revoke_api_token(token=token, by=user)
    return HttpResponse(status=204)
