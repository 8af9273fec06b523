"""API operations on a site's delegation log: entries, the investigator's signature, ending one."""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    IfMatch,
    PageQuery,
    actor,
    expected_version,
    fields_named,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.people import selectors, services
from trialdesk.people.api.scope import API_NAMES, _with_flags
from trialdesk.people.models import DelegationEntry
from trialdesk.people.permissions import can_keep_delegation_log, can_sign_delegation
from trialdesk.people.schemas import DelegationEndIn, DelegationEntryIn, DelegationEntryOut, SignatureIn
from trialdesk.sites.models import StudySite

router = Router(tags=["people"])
ENTRY_RELATED = ("staff_member", "signed_by", "study_site__institution", "study_site__study")


# Delegation log ----------------------------------------------------------------------------------------


@router.get(
    "/study-sites/{study_site_id}/delegation-entries",
    response=with_errors({200: page_schema(DelegationEntryOut)}, READ_ERRORS),
)
def list_delegation_entries(request, study_site_id: int, page: Query[PageQuery]):
    """The site's delegation of authority log, with whether each line is in force and training gaps."""
    site = visible_or_404(request, StudySite, study_site_id)
    rows = (
        DelegationEntry.objects.visible_to(actor(request))
        .filter(study_site=site)
        .select_related(*ENTRY_RELATED)
    )
    found = paginate(rows, page)
    found["items"] = _with_flags(found["items"])
    return found


@router.post(
    "/study-sites/{study_site_id}/delegation-entries",
    response=with_errors({201: DelegationEntryOut}, WRITE_ERRORS),
)
def create_delegation_entry(request, study_site_id: int, payload: DelegationEntryIn):
    """Delegate tasks to a staff member; refused if their training is not current (`staff_member_id`)."""
    site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    user = actor(request)
    require(can_keep_delegation_log(user, site), services.ONLY_LOG_KEEPERS)
    staff = referenced(selectors.site_staff_of(site), payload.staff_member_id, field="staff_member_id")
    with fields_named(API_NAMES):
        entry = services.create_delegation(
            study_site=site,
            staff_member=staff,
            study_role=payload.study_role.value,
            tasks=[task.value for task in payload.tasks],
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            by=user,
            reason=payload.reason,
        )
    return Status(201, _with_flags([entry])[0])


def _visible_entry(request, delegation_entry_id: int) -> DelegationEntry:
    return visible_or_404(request, DelegationEntry, delegation_entry_id, *ENTRY_RELATED)


@router.get(
    "/delegation-entries/{delegation_entry_id}", response=with_errors({200: DelegationEntryOut}, READ_ERRORS)
)
def get_delegation_entry(request, delegation_entry_id: int, response: HttpResponse):
    entry = _visible_entry(request, delegation_entry_id)
    set_etag(response, entry)
    return _with_flags([entry])[0]


@router.post(
    "/delegation-entries/{delegation_entry_id}/sign",
    response=with_errors({200: DelegationEntryOut}, WRITE_ERRORS),
)
def sign_delegation_entry(request, delegation_entry_id: int, payload: SignatureIn, response: HttpResponse):
    """The site investigator's electronic signature, meaning "delegation approved" (password re-entered)."""
    entry = _visible_entry(request, delegation_entry_id)
    require(can_sign_delegation(actor(request), entry.study_site), services.ONLY_INVESTIGATOR_SIGNS)
    entry = services.sign_delegation(entry=entry, password=payload.password, by=actor(request))
    entry = _visible_entry(request, entry.pk)
    set_etag(response, entry)
    return _with_flags([entry])[0]


@router.post(
    "/delegation-entries/{delegation_entry_id}/end",
    response=with_errors({200: DelegationEntryOut}, WRITE_ERRORS),
)
def end_delegation_entry(
    request,
    delegation_entry_id: int,
    payload: DelegationEndIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """End a delegation on its last day; the line stays on the log."""
    entry = _visible_entry(request, delegation_entry_id)
    require(can_keep_delegation_log(actor(request), entry.study_site), services.ONLY_LOG_KEEPERS)
    entry = services.end_delegation(
        entry=entry,
        ends_on=payload.ends_on,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    entry = _visible_entry(request, entry.pk)
    set_etag(response, entry)
    return _with_flags([entry])[0]
