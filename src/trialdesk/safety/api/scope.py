"""What every part of the safety API shares: the study in scope, plain values, the version the client read."""

from trialdesk.core.apiutils import actor, expected_version, visible_or_404
from trialdesk.safety.models import ProtocolReportingExemption, ReferenceSafetyInformation
from trialdesk.studies.models import Study


def _study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


def _plain(values: dict) -> dict:
    """Enum members from the request as the plain strings the models store."""
    return {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}


def _optional_version(version: int | None, if_match: str | None) -> int | None:
    """The version the client read, when it sent one (a follow-up or a submission may go without)."""
    if version is None and not if_match:
        return None
    return expected_version(version, if_match)


def _rsi_reference(request, study) -> dict:
    return {
        "reference_safety_information_id": (
            "reference_safety_information",
            ReferenceSafetyInformation.objects.visible_to(actor(request)).filter(study=study),
        ),
        "protocol_exemption_id": (
            "protocol_exemption",
            ProtocolReportingExemption.objects.visible_to(actor(request)).filter(study=study),
        ),
    }
