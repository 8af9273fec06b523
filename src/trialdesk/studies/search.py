"""Studies in the global search: by protocol number, title, acronym or NCT number."""

from django.urls import reverse

from trialdesk.core.extensions import SearchHits, SearchResult, SearchSource
from trialdesk.core.search import hits
from trialdesk.studies.models import Study


def _result(study: Study) -> SearchResult:
    detail = " · ".join(
        part for part in (study.acronym, study.nct_number, study.get_status_display()) if part
    )
    return SearchResult(f"{study.code}: {study.title}", detail, reverse("study_detail", args=[study.pk]))


def find_studies(user, query: str, limit: int) -> SearchHits:
    return hits(
        Study.objects.visible_to(user).order_by("code"),
        query=query,
        fields=("code", "title", "acronym", "nct_number"),
        limit=limit,
        result=_result,
    )


STUDIES = SearchSource("studies", "Studies", find_studies, order=10)
