"""API operations on a study's safety settings, committee policies, protocol exemptions from the 24-hour
report and reference safety information."""

from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    model_values,
    page_schema,
    paginate,
    with_errors,
)
from trialdesk.core.permissions import require
from trialdesk.safety import selectors, services
from trialdesk.safety.api.scope import _plain, _study
from trialdesk.safety.models import (
    CommitteeReportingPolicy,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
)
from trialdesk.safety.permissions import can_oversee_safety
from trialdesk.safety.schemas import (
    CommitteePolicyIn,
    CommitteePolicyOut,
    ProtocolExemptionIn,
    ProtocolExemptionOut,
    ReferenceSafetyInformationIn,
    ReferenceSafetyInformationOut,
    SafetySettingsIn,
    SafetySettingsOut,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

router = Router(tags=["safety"])

# Study safety settings -----------------------------------------------------------------------------------


def _settings_out(study: Study) -> dict:
    found = selectors.settings_of(study)
    coverage = selectors.coverage(study, found)
    return {
        "study_id": study.pk,
        "sponsor_country": found.sponsor_country,
        "sponsor_time_zone": found.sponsor_time_zone,
        "effective_sponsor_time_zone": found.effective_time_zone,
        "product_type": found.product_type,
        "site_to_sponsor_hours": found.site_to_sponsor_hours,
        "extra_jurisdictions": found.extra_jurisdictions or [],
        "excluded_jurisdictions": found.excluded_jurisdictions or [],
        "jurisdictions": list(coverage.jurisdictions),
        "unverified_jurisdictions": list(coverage.unverified),
        "warnings": list(coverage.warnings),
        "development_birth_date": found.development_birth_date,
        "version": found.version if found.pk else None,
    }


@router.get("/safety-settings/{study_id}", response=with_errors({200: SafetySettingsOut}, READ_ERRORS))
def get_safety_settings(request, study_id: int):
    """How the study reports safety (defaults until first saved) and the jurisdictions that follow."""
    return _settings_out(_study(request, study_id))


@router.put("/safety-settings/{study_id}", response=with_errors({200: SafetySettingsOut}, WRITE_ERRORS))
def put_safety_settings(request, study_id: int, payload: SafetySettingsIn):
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    services.save_safety_settings(
        study=study,
        by=actor(request),
        reason=payload.reason,
        expected_version=payload.version,
        **_plain(model_values(payload)),
    )
    return _settings_out(study)


@router.get(
    "/studies/{study_id}/committee-policies",
    response=with_errors({200: page_schema(CommitteePolicyOut)}, READ_ERRORS),
)
def list_committee_policies(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    return paginate(CommitteeReportingPolicy.objects.visible_to(actor(request)).filter(study=study), page)


@router.post(
    "/studies/{study_id}/committee-policies", response=with_errors({201: CommitteePolicyOut}, WRITE_ERRORS)
)
def create_committee_policy(request, study_id: int, payload: CommitteePolicyIn):
    """Add an ethics committee's or IRB's reporting policy; events from then on report under it."""
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    sites = StudySite.objects.visible_to(actor(request)).filter(study=study)
    values = model_values(payload, references={"study_site_id": ("study_site", sites)})
    policy = services.add_committee_policy(study=study, by=actor(request), reason=payload.reason, **values)
    return Status(201, policy)


@router.get(
    "/studies/{study_id}/reference-safety-information",
    response=with_errors({200: page_schema(ReferenceSafetyInformationOut)}, READ_ERRORS),
)
def list_reference_safety_information(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    return paginate(ReferenceSafetyInformation.objects.visible_to(actor(request)).filter(study=study), page)


@router.post(
    "/studies/{study_id}/reference-safety-information",
    response=with_errors({201: ReferenceSafetyInformationOut}, WRITE_ERRORS),
)
def create_reference_safety_information(request, study_id: int, payload: ReferenceSafetyInformationIn):
    """Add a version of the reference safety information expectedness is judged against."""
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    rsi = services.add_reference_safety_information(
        study=study, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, rsi)


@router.get(
    "/studies/{study_id}/reporting-exemptions",
    response=with_errors({200: page_schema(ProtocolExemptionOut)}, READ_ERRORS),
)
def list_protocol_exemptions(request, study_id: int, page: Query[PageQuery]):
    study = _study(request, study_id)
    return paginate(ProtocolReportingExemption.objects.visible_to(actor(request)).filter(study=study), page)


@router.post(
    "/studies/{study_id}/reporting-exemptions",
    response=with_errors({201: ProtocolExemptionOut}, WRITE_ERRORS),
)
def create_protocol_exemption(request, study_id: int, payload: ProtocolExemptionIn):
    """Record a kind of serious event the protocol exempts from the 24-hour site → sponsor report (CTR Art
    41(2)), with its protocol section and the limit it sets instead; events recorded from then on use it."""
    study = _study(request, study_id)
    require(can_oversee_safety(actor(request), study.pk), services.ONLY_OVERSEERS)
    exemption = services.add_protocol_exemption(
        study=study, by=actor(request), reason=payload.reason, **model_values(payload)
    )
    return Status(201, exemption)
