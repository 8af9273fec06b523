"""The study page's Supply tab and the site page's IP panel."""

from trialdesk.core.extensions import Panel, StudySection
from trialdesk.core.permissions import can_see_subject_level
from trialdesk.sites.models import StudySite
from trialdesk.supply import selectors
from trialdesk.supply.permissions import can_handle_some_site_ip, can_manage_supply, sees_kit_arms
from trialdesk.supply.views.display import account_row

RECENT_SHIPMENTS = 15


def supply_tab(request, study) -> dict:
    user = request.user
    sites = list(StudySite.objects.visible_to(user).filter(study=study).order_by("site_number"))
    accounts = selectors.site_accounts(study, [s.pk for s in sites])
    return {
        "products": selectors.products_for(user, study),
        "kit_types": selectors.kit_types_for(user, study),
        "lots": selectors.lots_for(user, study),
        "depots": selectors.depots_for(user, study),
        "visit_dispensings": selectors.visit_dispensings_for(user, study),
        "resupply_plan": selectors.resupply_plan_for(study),
        "lanes": selectors.lanes_for(user, study),
        "accounts": [(site, account_row(site, accounts.get(site.pk))) for site in sites],
        "shipments": selectors.shipments_for(user, study)[:RECENT_SHIPMENTS],
        "excursions": selectors.excursions_for(user, study).filter(status="pending"),
        "sees_arms": sees_kit_arms(user, study),
        "sees_participants": can_see_subject_level(user, study.pk),
        "may_manage_supply": can_manage_supply(user, study.pk),
        "may_handle_ip": can_handle_some_site_ip(user, study.pk),
    }


def site_panel(request, study_site) -> dict | None:
    """The site's IP account and the way to its kits; None when the study has no IP set up."""
    study = study_site.study
    if not selectors.products_for(request.user, study).exists():
        return None
    account = selectors.site_accounts(study, [study_site.pk]).get(study_site.pk)
    return {"ip_account": account_row(study_site, account), "ip_site": study_site}


SUPPLY_SECTION = StudySection("supply", "Supply", "supply/tabs/supply.html", supply_tab, 260, "Sites")
SITE_PANEL = Panel("supply", "supply/panels/site.html", site_panel, 45)
