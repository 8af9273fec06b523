"""API operations of randomization: a study's scheme, randomizing a participant, emergency unblinding.

Reads start from what the user may see (out of scope answers 404) and pass arms through concealment:
a blinded reader gets `arm: null`. Writes go through randomization.services, which ask the permission
question first (403) and then check the input (422).
"""

from django.http import HttpResponse
from ninja import Query, Router, Status

from trialdesk.core.apiutils import (
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
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.randomization import selectors, services
from trialdesk.randomization.concealment import Reader
from trialdesk.randomization.models import Allocation, RandomizationScheme, UnblindingEvent
from trialdesk.randomization.schemas import (
    ActivateIn,
    AllocationOut,
    RandomizeIn,
    SchemeIn,
    SchemeOut,
    SchemePatch,
    UnblindIn,
    UnblindingOut,
)
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

router = Router(tags=["randomization"])


def scheme_document(scheme: RandomizationScheme, reader: Reader) -> dict:
    """The scheme as `reader` may see it: block sizes and seed only for those allowed."""
    fields = SchemeOut.model_fields.keys() - {"block_sizes", "seed"}
    document = {name: getattr(scheme, name) for name in fields}
    document["block_sizes"] = scheme.block_sizes if reader.sees_block_sizes(scheme.study_id) else None
    document["seed"] = scheme.seed if reader.sees_seed(scheme.study_id) else None
    return document


def allocation_document(allocation: Allocation, reader: Reader) -> dict:
    arm = reader.arm_of(allocation)
    return {
        "id": allocation.pk,
        "participant_id": allocation.participant_id,
        "participant_number": allocation.participant.number,
        "study_site_id": allocation.study_site_id,
        "stratum": allocation.stratum,
        "factor_levels": allocation.factor_levels,
        "randomized_at": allocation.randomized_at,
        "randomized_by": allocation.randomized_by.username if allocation.randomized_by else None,
        "arm": arm.code if arm else None,
        "arm_name": arm.name if arm else None,
        "blinded": arm is None,
    }


# Schemes -------------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/randomization-schemes",
    response=with_errors({200: page_schema(SchemeOut)}, READ_ERRORS),
)
def list_randomization_schemes(request, study_id: int, page: Query[PageQuery]):
    """The study's randomization scheme (a study has at most one)."""
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.schemes_for(actor(request), study), page)
    reader = Reader(actor(request))
    found["items"] = [scheme_document(scheme, reader) for scheme in found["items"]]
    return found


@router.post(
    "/studies/{study_id}/randomization-schemes", response=with_errors({201: SchemeOut}, WRITE_ERRORS)
)
def create_randomization_scheme(request, study_id: int, payload: SchemeIn):
    """Set up the study's randomization scheme as a draft (the study's CRM or an administrator)."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    scheme = services.create_scheme(study=study, by=user, reason=payload.reason, **model_values(payload))
    return Status(201, scheme_document(scheme, Reader(user)))


@router.get(
    "/randomization-schemes/{randomization_scheme_id}", response=with_errors({200: SchemeOut}, READ_ERRORS)
)
def get_randomization_scheme(request, randomization_scheme_id: int, response: HttpResponse):
    scheme = visible_or_404(request, RandomizationScheme, randomization_scheme_id, "study")
    set_etag(response, scheme)
    return scheme_document(scheme, Reader(actor(request)))


@router.patch(
    "/randomization-schemes/{randomization_scheme_id}", response=with_errors({200: SchemeOut}, WRITE_ERRORS)
)
def update_randomization_scheme(
    request,
    randomization_scheme_id: int,
    payload: SchemePatch,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Change a draft scheme; an active scheme is locked (422)."""
    user = actor(request)
    scheme = visible_or_404(request, RandomizationScheme, randomization_scheme_id, "study")
    require(can_manage_study(user, scheme.study_id), services.MANAGERS_ONLY)
    scheme = services.update_scheme(
        scheme=scheme,
        changes=model_values(payload),
        by=user,
        reason=payload.reason,
        expected_version=expected_version(payload.version, if_match),
    )
    set_etag(response, scheme)
    return scheme_document(scheme, Reader(user))


@router.post(
    "/randomization-schemes/{randomization_scheme_id}/activate",
    response=with_errors({200: SchemeOut}, WRITE_ERRORS),
)
def activate_randomization_scheme(
    request,
    randomization_scheme_id: int,
    payload: ActivateIn,
    response: HttpResponse,
    if_match: IfMatch = None,
):
    """Lock the scheme and start randomizing; permuted blocks generate the whole list now."""
    user = actor(request)
    scheme = visible_or_404(request, RandomizationScheme, randomization_scheme_id, "study")
    require(can_manage_study(user, scheme.study_id), services.MANAGERS_ONLY)
    version = payload.version
    if version is None and if_match:
        version = expected_version(None, if_match)
    scheme = services.activate_scheme(scheme=scheme, by=user, reason=payload.reason, expected_version=version)
    set_etag(response, scheme)
    return scheme_document(scheme, Reader(user))


# Allocations ---------------------------------------------------------------------------------------


@router.get(
    "/studies/{study_id}/allocations", response=with_errors({200: page_schema(AllocationOut)}, READ_ERRORS)
)
def list_allocations(request, study_id: int, page: Query[PageQuery]):
    """The study's randomized participants, newest first; the arm is null where it is concealed from you."""
    user = actor(request)
    study = visible_or_404(request, Study, study_id)
    found = paginate(selectors.allocations_for(user, study), page)
    reader = Reader(user)
    found["items"] = [allocation_document(allocation, reader) for allocation in found["items"]]
    return found


@router.post(
    "/participants/{participant_id}/randomize", response=with_errors({201: AllocationOut}, WRITE_ERRORS)
)
def randomize_participant(request, participant_id: int, payload: RandomizeIn):
    """Randomize an enrolled participant by the study's active scheme (site staff or the CRM).

    Refused (422) for a participant already randomized or not enrolled, and for a missing or unknown
    factor level. Two requests at once never receive the same list slot.
    """
    user = actor(request)
    participant = visible_or_404(request, Participant, participant_id, "study", "study_site")
    allocation = services.randomize(participant=participant, factor_levels=payload.factor_levels, by=user)
    return Status(201, allocation_document(allocation, Reader(user)))


@router.post(
    "/participants/{participant_id}/unblind", response=with_errors({201: UnblindingOut}, WRITE_ERRORS)
)
def unblind_participant(request, participant_id: int, payload: UnblindIn):
    """Emergency unblinding of one participant: a reason and your password as electronic signature.

    The answer holds the arm; the unblinding is on the audit trail and the study's CRMs are notified.
    """
    user: User = actor(request)
    participant = visible_or_404(request, Participant, participant_id, "study", "study_site")
    event: UnblindingEvent = services.unblind(
        participant=participant, reason=payload.reason, password=payload.password, by=user
    )
    arm = event.allocation.arm
    return Status(
        201,
        {
            "id": event.pk,
            "participant_id": participant.pk,
            "signer": user.username,
            "signed_at": event.signed_at,
            "meaning": event.meaning,
            "reason": event.reason,
            "arm": arm.code,
            "arm_name": arm.name,
        },
    )
