"""The study page's Data protection tab: the register of processing, its transfers and retention."""

from trialdesk.privacy import register
from trialdesk.privacy.models import DataSubjectRequest, LegalHold
from trialdesk.privacy.permissions import can_keep_privacy, can_read_privacy


def privacy_tab(request, study) -> dict:
    user = request.user
    if not can_read_privacy(user, study.pk):
        return {"privacy_visible": False}
    return {
        "privacy_visible": True,
        "privacy_keep": can_keep_privacy(user, study.pk),
        "register": register.study_register(study),
        "holds": LegalHold.objects.visible_to(user)
        .filter(study=study, lifted_on=None)
        .select_related("person"),
        "open_requests": DataSubjectRequest.objects.visible_to(user)
        .filter(study=study, status="open")
        .count(),
    }
