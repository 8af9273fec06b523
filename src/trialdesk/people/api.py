"""The people part of the JSON API: training records, delegation-log entries, financial disclosures.

Reads start from what the user may see (out of scope answers 404); writes go through people.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from django.db.models import Q
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
from trialdesk.core.models import User
from trialdesk.core.permissions import can_work_at_some_site, require
from trialdesk.people import rules, selectors, services
from trialdesk.people.models import DelegationEntry, FinancialDisclosure, TrainingRecord
from trialdesk.people.permissions import (
    can_keep_delegation_log,
    can_record_some_disclosure,
    can_see_financial_interests,
    can_sign_delegation,
)
from trialdesk.people.schemas import (
    DelegationEndIn,
    DelegationEntryIn,
    DelegationEntryOut,
    DisclosureDueOut,
    DisclosureIn,
    DisclosureOut,
    DueFilters,
    SignatureIn,
    StaffTrainingOut,
    TrainingFilters,
    TrainingRecordIn,
    TrainingRecordOut,
    TrainingRecordPatch,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolVersion, Study

router = Router(tags=["people"])
ENTRY_RELATED = ("staff_member", "signed_by", "study_site__institution", "study_site__study")
# The services name relations; the API names the ids the client sent.
API_NAMES = {
    "staff_member": "staff_member_id",
    "protocol_version": "protocol_version_id",
    "investigator": "investigator_id",
}


def _people_on_study(study_id: int):
    on_study = Q(role_assignments__study_id=study_id, role_assignments__study_site__isnull=True) | Q(
        role_assignments__study_site__study_id=study_id
    )
    return User.objects.filter(on_study).distinct()


def _page_of_list(items: list, page: PageQuery) -> dict:
    """One page of a list worked out in Python, in the API's {count, limit, offset, items} shape."""
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


def _with_flags(entries: list[DelegationEntry]) -> list[DelegationEntry]:
    """Entries with `in_force` and `training_gaps` for today at their site (one training query)."""
    by_study: dict[int, list[DelegationEntry]] = {}
    for entry in entries:
        by_study.setdefault(entry.study_id, []).append(entry)
    for study_id, mine in by_study.items():
        version = selectors.current_protocol_version(study_id)
        facts = selectors.training_facts(study_id, {e.staff_member_id for e in mine})
        for entry in mine:
            today = entry.study_site.local_today()
            entry.in_force = entry.in_force_on(today)
            entry.training_gaps = rules.training_gaps(
                facts.get(entry.staff_member_id, []),
                on=today,
                protocol_version_id=version.pk if version else None,
                protocol_label=f"v{version.number}" if version else "",
                needs_system=bool(set(entry.tasks) & rules.SYSTEM_TASKS),
            )
    return entries


# Training ----------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/training-records",
    response=with_errors({200: page_schema(TrainingRecordOut)}, READ_ERRORS),
)
def list_training_records(request, study_id: int, filters: Query[TrainingFilters]):
    """The study's training records at the sites you see (study-wide ones included)."""
    study = visible_or_404(request, Study, study_id)
    rows = selectors.training_records_for(actor(request), study)
    if filters.staff_member_id:
        rows = rows.filter(staff_member_id=filters.staff_member_id)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return paginate(rows, filters)


@router.post(
    "/studies/{study_id}/training-records", response=with_errors({201: TrainingRecordOut}, WRITE_ERRORS)
)
def create_training_record(request, study_id: int, payload: TrainingRecordIn):
    """File a training: GCP certificate (with expiry), protocol version, or system training."""
    study = visible_or_404(request, Study, study_id)
    user = actor(request)
    require(can_work_at_some_site(user, study.pk), services.ONLY_TRAINING_KEEPERS)
    sites = StudySite.objects.visible_to(user).filter(study=study)
    with fields_named(API_NAMES):
        record = services.record_training(
            study=study,
            staff_member=referenced(
                _people_on_study(study.pk), payload.staff_member_id, field="staff_member_id"
            ),
            study_site=referenced(sites, payload.study_site_id, field="study_site_id"),
            protocol_version=referenced(
                ProtocolVersion.objects.filter(study=study),
                payload.protocol_version_id,
                field="protocol_version_id",
            ),
            kind=payload.kind.value,
            completed_on=payload.completed_on,
            expires_on=payload.expires_on,
            title=payload.title,
            provider=payload.provider,
            certificate_reference=payload.certificate_reference,
            by=user,
            reason=payload.reason,
        )
    return Status(201, record)


@router.get(
    "/training-records/{training_record_id}", response=with_errors({200: TrainingRecordOut}, READ_ERRORS)
)
def get_training_record(request, training_record_id: int, response: HttpResponse):
    record = visible_or_404(request, TrainingRecord, training_record_id, "staff_member", "study_site")
    set_etag(response, record)
    return record


@router.patch(
    "/training-records/{training_record_id}", response=with_errors({200: TrainingRecordOut}, WRITE_ERRORS)
)
def correct_training_record(
    request,
    training_record_id: int,
    payload: TrainingRecordPatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Correct a training record (dates, title, provider, reference); a reason is required."""
    record = visible_or_404(request, TrainingRecord, training_record_id, "staff_member", "study_site")
    record = services.correct_training(
        record=record,
        changes=payload.model_dump(exclude_unset=True, exclude={"reason", "version"}),
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, record)
    return record


@router.get(
    "/study-sites/{study_site_id}/training-flags",
    response=with_errors({200: page_schema(StaffTrainingOut)}, READ_ERRORS),
)
def list_training_flags(request, study_site_id: int, page: Query[PageQuery]):
    """The site's staff whose training is not current for the study's current protocol version."""
    site = visible_or_404(request, StudySite, study_site_id, "institution", "study")
    return _page_of_list(
        [
            {
                "staff_member_id": person.pk,
                "staff_member": person.get_full_name() or person.username,
                "training_gaps": gaps,
            }
            for person, gaps in selectors.site_training_flags(site)
        ],
        page,
    )


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
                {"kind": i.kind.value, "amount_band": i.amount_band.value, "description": i.description}
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
