"""`{% site_regulatory_panel site %}`: a study site's ethics approval, enrollment block and activation
checklist, for the site page (`{% load regulatory_tags %}` first)."""

from django import template

from trialdesk.regulatory import selectors

register = template.Library()


@register.inclusion_tag("regulatory/partials/site_panel.html")
def site_regulatory_panel(site):
    """The site's standing with its ethics committee and what its activation still needs.

    The site page has already checked that the user sees the site; nothing here widens that."""
    (standing,) = selectors.approval_board_for_sites([site])
    return {"site": site, "standing": standing, "checklist": selectors.activation_checklist(site)}
