"""The AE line listing over the API: rows as JSON, or the same listing as CSV or Excel."""

from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router

from trialdesk.core.apiutils import (
    CSV,
    FILE,
    SUBJECT_LEVEL,
    SUBJECT_LEVEL_READ_ERRORS,
    XLSX,
    actor,
    answers_in,
    page_schema,
    require_subject_level,
    with_errors,
)
from trialdesk.safety import listing, selectors
from trialdesk.safety.api.scope import _study
from trialdesk.safety.schemas import ListingQuery, ListingRowOut
from trialdesk.studies.models import Study

router = Router(tags=["safety"])


# Line listing --------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/line-listing",
    response=with_errors({200: page_schema(ListingRowOut)}, SUBJECT_LEVEL_READ_ERRORS),
    openapi_extra={**answers_in({CSV: FILE, XLSX: FILE}), **SUBJECT_LEVEL},
)
def line_listing(request, study_id: int, query: Query[ListingQuery]):
    """The study's line listing of adverse events: a page of JSON rows, or with `format=csv|xlsx` every row
    as a file. Blinded readers see "blinded" for the arm."""
    study = _study(request, study_id)
    require_subject_level(request, study.pk, "adverse events")
    params = query.model_dump(exclude_none=True)
    for name in ("serious", "related"):
        if name in params:
            params[name] = "yes" if params[name] else "no"
    events = selectors.filter_adverse_events(selectors.adverse_events_for(actor(request), study), params)
    events = events.order_by("number")
    if query.format in ("csv", "xlsx"):
        return line_listing_response(actor(request), study, events, query.format)
    return {
        "count": events.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": listing.listing_rows(actor(request), events[query.offset : query.offset + query.limit]),
    }


def line_listing_response(user, study: Study, events, export_format: str) -> HttpResponse:
    rows = listing.listing_rows(user, events)
    stamp = timezone.now().strftime("%Y%m%d")
    if export_format == "xlsx":
        response = HttpResponse(listing.as_xlsx(rows, f"{study.code} line listing"), content_type=XLSX)
    else:
        response = HttpResponse(listing.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{study.code}-ae-line-listing-{stamp}.{export_format}"'
    )
    return response
