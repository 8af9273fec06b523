"""Participants in the global search: by participant number, or by screening number (also of people
screened but not enrolled). Subject-level: a reader who may not see the participants of some of their
studies (a sponsor viewer) is told they are hidden, never that there are none."""

from django.urls import reverse

from trialdesk.core.extensions import SearchHits, SearchResult, SearchSource
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.core.search import matching
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant, ScreeningEntry


def _participant(participant: Participant) -> SearchResult:
    screening = participant.screening_entry.screening_number if participant.screening_entry_id else ""
    detail = " · ".join(
        part
        for part in (
            f"{participant.study.code} site {participant.study_site.site_number}",
            participant.get_status_display(),
            f"screening number {screening}" if screening else "",
        )
        if part
    )
    return SearchResult(
        f"Participant {participant.number}", detail, reverse("participant_detail", args=[participant.pk])
    )


def _screening_entry(entry: ScreeningEntry) -> SearchResult:
    where = f"{entry.study.code} site {entry.study_site.site_number}"
    return SearchResult(
        f"Screening {entry.screening_number}",
        f"{where} · not enrolled · {entry.get_outcome_display()}",
        reverse("screening_log", args=[entry.study_site_id]),
    )


def _hidden_from(user) -> bool:
    """Whether `user` sees a study whose participants they may not read."""
    studies = Study.objects.visible_to(user).values_list("pk", flat=True)
    return any(not can_see_subject_level(user, study_id) for study_id in studies)


def find_participants(user, query: str, limit: int) -> SearchHits:
    participants = matching(
        Participant.objects.visible_to(user)
        .select_related("study", "study_site", "screening_entry")
        .order_by("study__code", "number"),
        query,
        ("number", "screening_entry__screening_number"),
    )
    not_enrolled = matching(
        ScreeningEntry.objects.visible_to(user)
        .filter(participant__isnull=True)
        .select_related("study", "study_site")
        .order_by("study__code", "screening_number"),
        query,
        ("screening_number",),
    )
    results = [*map(_participant, participants[:limit]), *map(_screening_entry, not_enrolled[:limit])]
    count = participants.count() + not_enrolled.count()
    return SearchHits(tuple(results[:limit]), count, hidden=_hidden_from(user))


PARTICIPANTS = SearchSource("participants", "Participants", find_participants, order=30)
