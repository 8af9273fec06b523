"""API operations on people and their roles, scoped like the People pages.

Administrators see everyone, a CRM the people on their studies, others themselves; anyone else answers
404. Writes go through core.services.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from trialdesk.core import services
from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    actor,
    page_schema,
    paginate,
    referenced,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.core.schemas import (
    NewPersonOut,
    PeopleFilters,
    PersonIn,
    PersonOut,
    ReasonIn,
    RevokeQuery,
    RoleAssignmentOut,
    RoleGrantIn,
)
from trialdesk.people.directory import selectors
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["people"])


def _person(request, user_id: int) -> User:
    """A person the caller may see, with the roles of theirs the caller may see (404 otherwise)."""
    return get_object_or_404(selectors.people_list(actor(request)), pk=user_id)


@router.get("/users", response=with_errors({200: page_schema(PersonOut)}, READ_ERRORS), tags=["people"])
def list_users(request, filters: Query[PeopleFilters]):
    """People: everyone for administrators, the people on their studies for a CRM, else only yourself."""
    return paginate(selectors.people_list(actor(request), search=filters.search), filters)


@router.post("/users", response=with_errors({201: NewPersonOut}, CREATE_ERRORS), tags=["people"])
def create_user(request, payload: PersonIn):
    """Open an account (administrators). Without a password, a one-time password is returned once."""
    user, password = services.create_user(by=actor(request), **payload.model_dump())
    person = _person(request, user.pk)
    person.one_time_password = password or None
    return Status(201, person)


@router.get("/users/{user_id}", response=with_errors({200: PersonOut}, READ_ERRORS), tags=["people"])
def get_user(request, user_id: int):
    """One person, with the roles of theirs that you can see."""
    return _person(request, user_id)


@router.post(
    "/users/{user_id}/roles", response=with_errors({201: RoleAssignmentOut}, WRITE_ERRORS), tags=["people"]
)
def grant_role(request, user_id: int, payload: RoleGrantIn):
    """Grant a role: Administrator alone, a study role with `study_id`, a site role with `study_site_id`.

    Administrators grant any role; a CRM grants study- and site-level roles on the studies they are CRM of.
    """
    by = actor(request)
    # The person is found by the Team tab's rule (people.directory.selectors.team_candidates).
    person = get_object_or_404(selectors.people_for(by) | selectors.team_candidates(by), pk=user_id)
    study = referenced(Study.objects.visible_to(by), payload.study_id, field="study_id")
    site = referenced(StudySite.objects.visible_to(by), payload.study_site_id, field="study_site_id")
    assignment = services.assign_role(user=person, role=payload.role, study=study, study_site=site, by=by)
    return Status(201, assignment)


@router.delete(
    "/users/{user_id}/roles/{role_assignment_id}",
    response=with_errors({204: None}, WRITE_ERRORS),
    tags=["people"],
)
def revoke_role(request, user_id: int, role_assignment_id: int, removal: Query[RevokeQuery]):
    """Revoke a role; `reason` is required and kept on the audit trail."""
    by = actor(request)
    person = _person(request, user_id)
    assignment = get_object_or_404(selectors.roles_of(by, person), pk=role_assignment_id)
    services.revoke_role(assignment=assignment, by=by, reason=removal.reason)
    return HttpResponse(status=204)


@router.post(
    "/users/{user_id}/deactivate", response=with_errors({200: PersonOut}, WRITE_ERRORS), tags=["people"]
)
def deactivate_user(request, user_id: int, payload: ReasonIn):
    """Deactivate an account (administrators): no more sign-ins or API tokens. Accounts are never deleted."""
    person = _person(request, user_id)
    services.deactivate_user(user=person, by=actor(request), reason=payload.reason)
    return _person(request, user_id)


@router.post(
    "/users/{user_id}/reactivate", response=with_errors({200: PersonOut}, WRITE_ERRORS), tags=["people"]
)
def reactivate_user(request, user_id: int, payload: ReasonIn):
    """Reactivate a deactivated account (administrators)."""
    person = _person(request, user_id)
    services.reactivate_user(user=person, by=actor(request), reason=payload.reason)
    return _person(request, user_id)
