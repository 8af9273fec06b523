"""The study page's documents tabs; each context function takes (request, study) and returns a dict."""

from trialdesk.documents import selectors
from trialdesk.documents.forms import DocumentFilterForm
from trialdesk.documents.permissions import can_file_somewhere
from trialdesk.documents.rules import filing
from trialdesk.documents.views import with_file_links

# How many missing / expiring / expired documents the tab lists before pointing to the full list.
LISTED = 15


def documents_tab(request, study) -> dict:
    """Completeness by level, country and site, then what is missing, expiring and expired."""
    sites = selectors.sites_for(request.user, study).order_by("site_number")
    filters_form = DocumentFilterForm(request.GET or None, sites=sites)
    site = filters_form.filters()["study_site"]
    rows = selectors.expected_documents_for(request.user, study, study_site=site)
    by_state = {state: [r for r in rows if r.state == state] for state in filing.STATES}
    return {
        "documents_filter_form": filters_form,
        "documents_site": site,
        "completeness_rows": selectors.completeness(rows),
        "documents_missing": with_file_links(study, by_state[filing.MISSING][:LISTED]),
        "documents_missing_count": len(by_state[filing.MISSING]),
        "documents_expiring": by_state[filing.EXPIRING][:LISTED],
        "documents_expiring_count": len(by_state[filing.EXPIRING]),
        "documents_expired": with_file_links(study, by_state[filing.EXPIRED][:LISTED]),
        "documents_expired_count": len(by_state[filing.EXPIRED]),
        "documents_warning_days": selectors.tmf_profile_of(study).expiry_warning_days,
        "may_file_documents": can_file_somewhere(request.user, study.pk),
    }
