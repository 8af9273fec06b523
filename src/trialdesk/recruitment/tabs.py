"""The study page's Eligibility tab and the study site page's pre-screening panel (their contexts)."""

from trialdesk.interop.eligibility.rules import describe_rule
from trialdesk.recruitment import selectors, services
from trialdesk.recruitment.permissions import can_manage_criteria, can_see_pool


def eligibility_tab(request, study) -> dict:
    """Criteria with their rules; candidates per site by status; the criteria that rule out the most."""
    sites = selectors.sites_for(request.user, study)
    criteria = selectors.criteria_for(request.user, study)
    return {
        "criteria_rows": [(c, describe_rule(c.rule) if c.rule else "") for c in criteria],
        "site_counts": [
            (row, can_see_pool(request.user, row.site)) for row in selectors.counts_by_site(sites)
        ],
        "costly_criteria": selectors.costly_criteria(sites),
        "may_manage_criteria": can_manage_criteria(request.user, study.pk),
        "retention_days": services.retention_days_of(study.pk),
        "has_registry_record": hasattr(study, "registry_record"),
    }


def site_panel(request, site) -> dict | None:
    counts = selectors.counts_by_site([site])[0]
    if not counts.total and not can_see_pool(request.user, site):
        return None
    return {"prescreening_counts": counts, "prescreening_site": site}
