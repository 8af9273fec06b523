"""What the parts of the documents API share: a page of a list, the study and site in scope."""

from trialdesk.core.apiutils import PageQuery, actor, referenced, visible_or_404
from trialdesk.documents import selectors
from trialdesk.studies.models import Study


def _list_page(items: list, page: PageQuery) -> dict:
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }


def _visible_study(request, study_id: int) -> Study:
    return visible_or_404(request, Study, study_id)


def _visible_site(request, study: Study, study_site_id: int | None, *, field: str = "study_site_id"):
    if study_site_id is None:
        return None
    return referenced(selectors.sites_for(actor(request), study), study_site_id, field=field)
