"""`{% site_staff_panel site %}`: the training flags and delegation-log summary of one study site, for the
site page (`{% load people_tags %}` first)."""

from django import template

from trialdesk.people import selectors
from trialdesk.people.models import DelegationEntry

register = template.Library()


@register.inclusion_tag("people/partials/site_panel.html")
def site_staff_panel(site):
    """Who at the site lacks current training, and whether the site keeps its delegation log here.

    The site page has already checked that the user sees the site; nothing here widens that.
    """
    today = site.local_today()
    entries = DelegationEntry.objects.filter(study_site=site)
    return {
        "site": site,
        "flags": selectors.site_training_flags(site),
        "keeps_log": entries.exists(),
        "in_force": sum(1 for entry in entries if entry.in_force_on(today)),
        "unsigned": entries.filter(signed_at__isnull=True).count(),
    }
