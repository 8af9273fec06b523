"""The study page's Finance tab and the study site page's Payments panel."""

from django.utils import timezone

from trialdesk.finance import charts, estimates, selectors
from trialdesk.finance.permissions import (
    can_manage_finance,
    can_read_finance,
    can_read_site_finance,
    can_read_totals,
    can_submit_for_site,
    sees_finance_anywhere,
)
from trialdesk.finance.rules import money


def finance_tab(request, study) -> dict:
    user = request.user
    today = timezone.localdate()
    context = {
        "finance_visible": sees_finance_anywhere(user, study.pk),
        "finance_totals": can_read_totals(user, study.pk),
        "finance_lines": can_read_finance(user, study.pk),
        "finance_manage": can_manage_finance(user, study.pk),
    }
    if not context["finance_totals"]:
        # Site staff: their own sites' payables, from the site page's panel.
        context["own_sites"] = [
            site
            for site in selectors.sites_of(study).values()
            if can_read_site_finance(user, study.pk, site.pk)
        ]
        return context
    figures = estimates.study_finance(study, today)
    context["figures"] = figures
    if figures is not None:
        context["chart"] = charts.burn_chart(
            figures.burn, budget=figures.budget, eac=figures.eac, currency=figures.currency
        )
        context["category_rows"] = [
            (label, figures.shown(amount), figures.shown(figures.spent_by_category.get(key, money.ZERO)))
            for key, label, amount in figures.budget_version.category_rows()
        ]
    if context["finance_lines"]:
        context["runs"] = selectors.runs_for(user, study)[:10]
        context["site_invoices"] = selectors.site_invoices_for(user, study).filter(status="submitted")[:10]
        context["contracts"] = figures.vendors if figures else []
    return context


def site_panel(request, site) -> dict | None:
    """A site's payables in its own currency: shown to the study's finance readers and the site's staff."""
    if not can_read_site_finance(request.user, site.study_id, site.pk):
        return None
    today = site.local_today()
    totals = selectors.site_totals(site.study, today, site_ids=[site.pk]).get(site.pk)
    schedule = selectors.schedules_for(request.user, site.study).filter(study_site=site).first()
    return {
        "finance_site": site,
        "finance_totals": totals,
        "finance_schedule": schedule,
        "finance_runs": selectors.runs_for(request.user, site.study).filter(study_site=site)[:5],
        "finance_manage_site": can_manage_finance(request.user, site.study_id),
        "finance_submit": can_submit_for_site(request.user, site.study_id, site.pk),
    }
