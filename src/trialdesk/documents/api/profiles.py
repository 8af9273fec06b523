"""API operations on a study's TMF profile: what decides its expected documents beyond the model."""

from ninja import Router

from trialdesk.core.apiutils import READ_ERRORS, WRITE_ERRORS, IfMatch, actor, expected_version, with_errors
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.documents import selectors, services
from trialdesk.documents.api.scope import _visible_study
from trialdesk.documents.permissions import ONLY_MANAGERS
from trialdesk.documents.schemas import TmfProfileOut, TmfProfilePatch
from trialdesk.studies.models import Study

router = Router(tags=["documents"])


# The TMF profile ----------------------------------------------------------------------------------------


def _profile_out(study: Study) -> dict:
    profile = selectors.tmf_profile_of(study)
    return {
        "study_id": study.pk,
        "us_ind": profile.us_ind,
        "local_laboratories": profile.local_laboratories,
        "expiry_warning_days": profile.expiry_warning_days,
        "version": profile.version if profile.pk else 0,
    }


@router.get("/tmf-profiles/{study_id}", response=with_errors({200: TmfProfileOut}, READ_ERRORS))
def get_tmf_profile(request, study_id: int):
    """What decides the study's expected documents beyond the model: US IND, local laboratories."""
    return _profile_out(_visible_study(request, study_id))


@router.patch("/tmf-profiles/{study_id}", response=with_errors({200: TmfProfileOut}, WRITE_ERRORS))
def update_tmf_profile(request, study_id: int, payload: TmfProfilePatch, if_match: IfMatch = None):
    """Change the study's TMF profile (the study's CRM)."""
    study = _visible_study(request, study_id)
    require(can_manage_study(actor(request), study.pk), ONLY_MANAGERS)
    saved = selectors.tmf_profile_of(study).pk is not None
    services.save_tmf_profile(
        study=study,
        by=actor(request),
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match) if saved else None,
        **payload.model_dump(exclude_unset=True, exclude={"reason", "version"}),
    )
    return _profile_out(study)
