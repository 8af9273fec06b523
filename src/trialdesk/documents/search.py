"""Essential documents in the global search: by title."""

from django.urls import reverse

from trialdesk.core.extensions import SearchHits, SearchResult, SearchSource
from trialdesk.core.search import hits
from trialdesk.documents.models import Document


def _result(document: Document) -> SearchResult:
    where = (
        f"site {document.study_site.site_number}" if document.study_site_id else document.get_level_display()
    )
    return SearchResult(
        document.title,
        f"{document.study.code} · {where} · TMF {document.artifact_number}",
        reverse("document_detail", args=[document.pk]),
    )


def find_documents(user, query: str, limit: int) -> SearchHits:
    return hits(
        Document.objects.visible_to(user)
        .select_related("study", "study_site")
        .order_by("study__code", "title"),
        query=query,
        fields=("title",),
        limit=limit,
        result=_result,
    )


DOCUMENTS = SearchSource("documents", "Documents", find_documents, order=40)
