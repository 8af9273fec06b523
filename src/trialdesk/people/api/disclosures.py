"""API operations on financial disclosures, and who still owes one."""

from dataclasses import asdict

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    fields_named,
    page_schema,
    paginate,
    referenced,
    set_etag,
    visible_or_404,
    with_errors,
)
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.people import selectors, services
from trialdesk.people.api.scope import API_NAMES, _page_of_list, _people_on_study
from trialdesk.people.interests import classify_interests
from trialdesk.people.models import FinancialDisclosure
from trialdesk.people.permissions import can_record_some_disclosure, can_see_financial_interests
from trialdesk.people.schemas import DisclosureDueOut, DisclosureIn, DisclosureOut, DueFilters
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["people"])


# Financial disclosure ----------------------------------------------------------------------------------


def _disclosure_out(user: User, disclosure: FinancialDisclosure) -> dict:
    visible = can_see_financial_interests(user, disclosure)
    return {
        "id": disclosure.pk,
        "study_id": disclosure.study_id,
        "study_site_id": disclosure.study_site_id,
        "investigator_id": disclosure.investigator_id,
        "investigator": disclosure.investigator.get_full_name() or disclosure.investigator.username,
        "occasion": disclosure.occasion,
        "disclosed_on": disclosure.disclosed_on,
        "interests_visible": visible,
        "has_interests": disclosure.has_interests if visible else None,
        "interests": disclosure.interests if visible else None,
        "classification": [asdict(c) for c in classify_interests(disclosure.interests)] if visible else None,
        "reportable": disclosure.reportable if visible else None,
        "note": disclosure.note if visible else None,
        "version": disclosure.version,
    }


@router.get(
    "/studies/{study_id}/financial-disclosures",
    response=with_errors({200: page_schema(DisclosureOut)}, READ_ERRORS),
)
def list_disclosures(request, study_id: int, page: Query[PageQuery]):
    """Disclosures collected at the sites you see; the interests only where you may see them."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    found = paginate(selectors.disclosures_for(user, study), page)
    found["items"] = [_disclosure_out(user, d) for d in found["items"]]
    return found


@router.get(
    "/studies/{study_id}/financial-disclosures/due",
    response=with_errors({200: page_schema(DisclosureDueOut)}, READ_ERRORS),
)
def list_disclosures_due(request, study_id: int, filters: Query[DueFilters]):
    """Disclosures due within 30 days or overdue (with `include_done=true`: every one owed)."""
    study = visible_or_404(request, Study, study_id)
    rows = []
    for row in selectors.disclosure_status(actor(request), study):
        for due in row.owed:
            if filters.include_done or due.status in ("due", "overdue"):
                rows.append(
                    {
                        "study_site_id": row.site.pk,
                        "site_number": row.site.site_number,
                        "investigator_id": row.investigator.pk,
                        "investigator": row.investigator.get_full_name() or row.investigator.username,
                        "participation_starts_on": row.participation_starts_on,
                        "occasion": due.occasion,
                        "due_on": due.due_on,
                        "status": due.status,
                        "days_overdue": due.days_overdue,
                        "basis": due.basis,
                        "citation": due.citation,
                    }
                )
    return _page_of_list(sorted(rows, key=lambda r: (r["due_on"], r["site_number"])), filters)


@router.post(
    "/study-sites/{study_site_id}/financial-disclosures",
    response=with_errors({201: DisclosureOut}, WRITE_ERRORS),
)
def create_disclosure(request, study_site_id: int, payload: DisclosureIn):
    """Record a financial disclosure collected from an investigator or sub-investigator of the site."""
    site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    user = actor(request)
    require(can_record_some_disclosure(user, site), services.ONLY_DISCLOSURE_KEEPERS)
    with fields_named(API_NAMES):
        disclosure = services.record_disclosure(
            study_site=site,
            investigator=referenced(
                _people_on_study(site.study_id), payload.investigator_id, field="investigator_id"
            ),
            occasion=payload.occasion.value,
            disclosed_on=payload.disclosed_on,
            has_interests=payload.has_interests,
            interests=[
                {
                    "kind": i.kind.value,
                    "amount_band": i.amount_band.value,
                    "description": i.description,
                    **({} if i.publicly_traded is None else {"publicly_traded": i.publicly_traded}),
                }
                for i in payload.interests
            ],
            note=payload.note,
            by=user,
            reason=payload.reason,
        )
    return Status(201, _disclosure_out(user, disclosure))


@router.get(
    "/financial-disclosures/{financial_disclosure_id}",
    response=with_errors({200: DisclosureOut}, READ_ERRORS),
)
def get_disclosure(request, financial_disclosure_id: int, response: HttpResponse):
    disclosure = visible_or_404(request, FinancialDisclosure, financial_disclosure_id, "investigator")
    set_etag(response, disclosure)
    return _disclosure_out(actor(request), disclosure)
