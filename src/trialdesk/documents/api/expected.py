"""API operations on a study's expected documents and the completeness of its TMF."""

from ninja import Query, Router

from trialdesk.core.apiutils import READ_ERRORS, actor, page_schema, with_errors
from trialdesk.documents import reference, selectors
from trialdesk.documents.api.scope import _list_page, _visible_site, _visible_study
from trialdesk.documents.schemas import (
    CompletenessFilters,
    CompletenessOut,
    ExpectedDocumentOut,
    ExpectedFilters,
)

router = Router(tags=["documents"])


# Expected documents and completeness -------------------------------------------------------------------


def _expected_out(row: selectors.ExpectedState) -> dict:
    e = row.expected
    item = reference.artifact(e.artifact_number)
    return {
        "level": e.level,
        "artifact_number": e.artifact_number,
        "artifact_name": item.name if item else "",
        "title": e.title,
        "country": e.country,
        "study_site_id": e.study_site_id,
        "site_number": row.site_number,
        "protocol_version": e.protocol_version,
        "person_id": e.person_id,
        "milestone": e.milestone,
        "citation": e.citation,
        "state": row.state,
        "document_id": row.document_id,
        "expires_on": row.expires_on,
    }


@router.get(
    "/studies/{study_id}/expected-documents",
    response=with_errors({200: page_schema(ExpectedDocumentOut)}, READ_ERRORS),
)
def list_expected_documents(request, study_id: int, filters: Query[ExpectedFilters]):
    """The study's expected-document list (TMF Reference Model, protocol versions, country rules), each
    with its state: present, expiring, expired or missing. Site staff see their own sites'."""
    study = _visible_study(request, study_id)
    site = _visible_site(request, study, filters.study_site_id)
    rows = selectors.expected_documents_for(
        actor(request),
        study,
        study_site=site,
        level=filters.level or "",
        state=filters.state or "",
        within_days=filters.within_days,
    )
    return _list_page([_expected_out(row) for row in rows], filters)


@router.get(
    "/studies/{study_id}/document-completeness",
    response=with_errors({200: page_schema(CompletenessOut)}, READ_ERRORS),
)
def list_document_completeness(request, study_id: int, filters: Query[CompletenessFilters]):
    """Completeness of the whole study, the trial level, each country and each site the user sees."""
    study = _visible_study(request, study_id)
    site = _visible_site(request, study, filters.study_site_id)
    rows = selectors.completeness(selectors.expected_documents_for(actor(request), study, study_site=site))
    items = [{**vars(row), "percent": row.percent} for row in rows]
    return _list_page(items, filters)
