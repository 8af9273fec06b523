"""The global search: studies, sites, participants and documents found by what the CRM types.

Each app contributes its kind of record (core.extensions.search_sources) and searches only what the
reader may see (`visible_to(user)`); core imports no app. A kind whose records the reader may not read
(participants, for a sponsor viewer) says "hidden" rather than "no results". The page (`/search/?q=`)
shows the first few of each kind with how many more matched; `GET /api/v1/search` pages through them all.
"""

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from trialdesk.core import extensions, strict_input
from trialdesk.core.extensions import SearchHits

SHORTEST_QUERY = 2
LONGEST_QUERY = 200
PER_KIND = 10  # on the page; the API pages through every result


def query_problem(query: str) -> str | None:
    """Why `query` (already stripped) cannot be searched for, or None."""
    problem = strict_input.text_problem(query, limit=LONGEST_QUERY)
    if problem:
        return problem
    if len(query) < SHORTEST_QUERY:
        return ngettext(
            "Type at least %(n)s character to search.",
            "Type at least %(n)s characters to search.",
            SHORTEST_QUERY,
        ) % {"n": SHORTEST_QUERY}
    return None


def matching(queryset: QuerySet, query: str, fields: tuple[str, ...]) -> QuerySet:
    """The rows of `queryset` with `query` in any of `fields` (case-insensitive contains)."""
    return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": query}) for field in fields)))


def hits(
    queryset: QuerySet, *, query: str, fields: tuple[str, ...], limit: int, result, hidden: bool = False
) -> SearchHits:
    """The first `limit` rows of `queryset` matching `query`, each made a SearchResult by `result(row)`,
    and how many matched in all (two queries)."""
    found = matching(queryset, query, fields)
    rows = list(found[:limit]) if limit else []
    return SearchHits(tuple(result(row) for row in rows), found.count(), hidden)


@dataclass(frozen=True)
class SearchGroup:
    """The results of one kind of record, as the page shows them."""

    key: str
    label: str
    hits: SearchHits

    @property
    def more(self) -> int:
        return self.hits.count - len(self.hits.results)


def search(user, query: str, *, limit: int = PER_KIND) -> list[SearchGroup]:
    """Every kind's results for `query` among what `user` may see, at most `limit` of each."""
    return [SearchGroup(s.key, s.label, s.search(user, query, limit)) for s in extensions.search_sources]


def search_items(user, query: str, *, limit: int, offset: int) -> tuple[int, list[dict]]:
    """How many records match in all, and those from `offset` on (at most `limit`), kind by kind."""
    groups = search(user, query, limit=offset + limit)
    items = [{"kind": group.key, **result.__dict__} for group in groups for result in group.hits.results]
    return sum(group.hits.count for group in groups), items[offset : offset + limit]


@login_required
@require_safe
def search_page(request):
    """Search results grouped by kind; htmx asks for the results alone as the person types."""
    query = request.GET.get("q", "").strip()
    problem = query_problem(query) if query else None
    groups = search(request.user, query) if query and not problem else []
    context = {"query": query, "problem": problem, "groups": groups, "nav": "search"}
    template = "core/partials/search_results.html" if request.htmx else "core/search.html"
    return TemplateResponse(request, template, context)
