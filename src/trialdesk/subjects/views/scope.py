"""Look-ups in the user's scope for the participant pages (404 outside it), and the pages' addresses."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from trialdesk.sites.models import StudySite
from trialdesk.subjects.models import ConsentVersion, DiversityTarget, Participant, ScreeningEntry


def visible_site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


def visible_entry(request, screening_entry_id) -> ScreeningEntry:
    entries = ScreeningEntry.objects.visible_to(request.user).select_related(
        "study", "study_site__institution"
    )
    return get_object_or_404(entries, pk=screening_entry_id)


def visible_participant(request, participant_id) -> Participant:
    participants = Participant.objects.visible_to(request.user).select_related(
        "study", "study_site__institution", "screening_entry"
    )
    return get_object_or_404(participants, pk=participant_id)


def visible_version(request, consent_version_id) -> ConsentVersion:
    versions = ConsentVersion.objects.visible_to(request.user).select_related("study", "protocol_version")
    return get_object_or_404(versions, pk=consent_version_id)


def screening_log_url(site: StudySite) -> str:
    return reverse("screening_log", kwargs={"study_site_id": site.pk})


def participant_url(participant: Participant) -> str:
    return reverse("participant_detail", kwargs={"participant_id": participant.pk})


def version_url(version: ConsentVersion) -> str:
    return reverse("consent_version_detail", kwargs={"consent_version_id": version.pk})


def visible_target(request, diversity_target_id) -> DiversityTarget:
    targets = DiversityTarget.objects.visible_to(request.user).select_related("study")
    return get_object_or_404(targets, pk=diversity_target_id)
