"""The study page's safety tabs; each context function takes (request, study) and returns a dict."""

from django.utils import timezone

from trialdesk.core.pagination import paginate
from trialdesk.randomization.selectors import randomized_among
from trialdesk.safety import selectors
from trialdesk.safety.forms import AdverseEventFilterForm
from trialdesk.safety.models import (
    CommitteeReportingPolicy,
    ProtocolReportingExemption,
    ReferenceSafetyInformation,
)
from trialdesk.safety.permissions import can_oversee_safety, can_record_adverse_events_in_study
from trialdesk.sites.models import StudySite


def _sites(request, study):
    return StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")


def safety_tab(request, study) -> dict:
    """The study's adverse events (filtered), its jurisdictions and open obligations."""
    form = AdverseEventFilterForm(request.GET or None, sites=_sites(request, study))
    events = selectors.filter_adverse_events(selectors.adverse_events_for(request.user, study), form.params())
    settings = selectors.settings_of(study)
    return {
        "filter_form": form,
        "page": paginate(events, request),
        "may_record_ae": can_record_adverse_events_in_study(request.user, study.pk),
        "may_oversee_safety": can_oversee_safety(request.user, study.pk),
        "safety_settings": settings,
        "coverage": selectors.coverage(study, settings),
        "jurisdictions": selectors.study_jurisdictions(study, settings),
        "open_obligations": selectors.obligations_for(request.user, study).filter(status="open").count(),
        "committee_policies": list(
            CommitteeReportingPolicy.objects.visible_to(request.user)
            .filter(study=study)
            .select_related("study_site")
        ),
        "reporting_exemptions": list(
            ProtocolReportingExemption.objects.visible_to(request.user).filter(study=study)
        ),
        "safety_references": list(
            ReferenceSafetyInformation.objects.visible_to(request.user).filter(study=study)
        ),
    }


def susars_tab(request, study) -> dict:
    """Serious, unexpected, related events with their clocks; regulatory unblinding via randomization."""
    events = selectors.filter_adverse_events(
        selectors.adverse_events_for(request.user, study), {"susar": "yes"}
    ).order_by("-site_aware_at")
    now = timezone.now()
    obligations = {}
    for obligation in (
        selectors.obligations_for(request.user, study)
        .filter(adverse_event__in=events)
        .exclude(key__startswith="PROTOCOL")
    ):
        obligations.setdefault(obligation.adverse_event_id, []).append((obligation, obligation.standing(now)))
    shown = list(events[:200])
    return {
        "susars": [(event, obligations.get(event.pk, [])) for event in shown],
        "randomized": randomized_among(event.participant_id for event in shown),
    }
