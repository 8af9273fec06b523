"""The study page's regulatory tabs; each context function takes (request, study) and returns a dict."""

from trialdesk.core import extensions
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_manage_study, can_work_at_some_site
from trialdesk.regulatory import country_rules, selectors
from trialdesk.regulatory.models import AmendmentImplementation
from trialdesk.regulatory.rules import checklists
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import ProtocolStatus, ProtocolVersion
from trialdesk.studies.pages import tab_url


def regulatory_tab(request, study) -> dict:
    """Ethics approvals with countdowns, the submissions, and each site's activation checklist."""
    sites = list(
        StudySite.objects.visible_to(request.user)
        .filter(study=study)
        .select_related("institution")
        .order_by("site_number")
    )
    checklists = selectors.activation_checklists(sites)
    activation = [
        (site, checklists[site.pk], country_rules.rules_for(site.institution.country)) for site in sites
    ]
    return {
        "approval_board": selectors.approval_board(request.user, study),
        "submissions_page": paginate(selectors.submissions_for(request.user, study), request),
        "may_submit": can_work_at_some_site(request.user, study.pk),
        "activation": activation,
    }


def amendments_tab(request, study) -> dict:
    """Each amendment being implemented, per site: how far it has got and who still needs re-consent."""
    started = AmendmentImplementation.objects.filter(study=study).values("protocol_version_id")
    startable = []
    if can_manage_study(request.user, study.pk):
        startable = list(
            ProtocolVersion.objects.visible_to(request.user)
            .filter(study=study, status__in=[ProtocolStatus.APPROVED, ProtocolStatus.EFFECTIVE])
            .exclude(pk__in=started)
            .exclude(amendment_number=None)
        )
    return {
        "amendments": selectors.amendments_overview(request.user, study),
        "item_labels": [
            *checklists.ITEMS,
            *((item.key, item.label) for item in extensions.amendment_checklist_items),
        ],
        "numbers_visible": selectors.sites_with_participants_visible(request.user, study),
        "startable": startable,
        "may_tick": can_work_at_some_site(request.user, study.pk),
        "reconsent_url": tab_url(study, "reconsent"),
    }


def site_regulatory_panel(request, site) -> dict:
    """The site page's panel: its standing with its ethics committee and what its activation still
    needs (the site page has already checked that the reader sees the site)."""
    (standing,) = selectors.approval_board_for_sites([site])
    return {"site": site, "standing": standing, "checklist": selectors.activation_checklist(site)}
