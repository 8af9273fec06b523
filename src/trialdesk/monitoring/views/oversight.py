"""The CRM's oversight of monitoring across CRAs and sites (a CRA sees their own sites).

Two views of one study (`?study=`, the first by default) or of all the reader's studies (`?study=all`):
by site (the default), sorted (`?sort=`) and paged, and by CRA (`?by=cra`), paged. The sites' risk tiers
come from the KRI flags stored when each study's KRIs were last scored (services.tiers), and the page
says when; the CRM or a monitor may score them again from the page. Only the page's sites get their full
figures, so the page costs about the same for 100 sites or 2,000.
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST, require_safe

from trialdesk.core.pagination import paginate
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import wants_partial
from trialdesk.monitoring.permissions import can_monitor_some_site
from trialdesk.monitoring.rules.actions import AGE_BUCKETS
from trialdesk.monitoring.scoping import sponsor_side
from trialdesk.monitoring.selectors import oversight_list
from trialdesk.monitoring.selectors.oversight import by_cra, site_oversight
from trialdesk.monitoring.services.tiers import store_tier_flags, studies_without_tier_flags
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study

#: Tiers from KRI flags older than this are marked as such (the nightly `rbqm tiers` job missed a run).
STALE_AFTER = dt.timedelta(hours=26)


def _scope(user, asked: str):
    """(the sites the reader oversees, their studies, the chosen study or None for all of them)."""
    sites = StudySite.objects.filter(sponsor_side(user, study_path="study", site_path="pk"))
    studies = list(Study.objects.filter(pk__in=sites.values("study_id")).order_by("code"))
    chosen = next((s for s in studies if str(s.pk) == asked), None)
    if chosen is None and asked != "all" and studies:
        chosen = studies[0]
    if chosen is not None:
        sites = sites.filter(study=chosen)
    return sites, studies, chosen


@login_required
@require_safe
def oversight(request):
    """Per site (sorted, paged) or per CRA: the tier and its age, the visit due, visits done against the
    plan, report turnaround, open action items by age, SDV coverage against target, travel and carbon."""
    user = request.user
    sites, studies, chosen = _scope(user, request.GET.get("study", ""))
    for study in studies_without_tier_flags([chosen.pk] if chosen else [s.pk for s in studies]):
        store_tier_flags(study=study, by=None)  # never scored yet: score once, then read
    by = "cra" if request.GET.get("by") == "cra" else "site"
    sort = oversight_list.clean_sort(request.GET.get("sort", ""))
    entries, tiers = oversight_list.site_entries(sites, sort=sort)
    if by == "cra":
        page = paginate(oversight_list.cra_groups(entries), request)
        members = [entry for _, group in page.object_list for entry in group]
        sites = oversight_list.page_sites(members)
        page.object_list = by_cra(site_oversight(sites, stored=tiers, next_due=False))
    else:
        page = paginate(entries, request)
        page.object_list = site_oversight(oversight_list.page_sites(page.object_list), stored=tiers)
    scored = [tier.scored_at for tier in tiers.values()]
    context = {
        "studies": studies,
        "chosen": chosen,
        "by": by,
        "sort": sort,
        "columns": sort_columns(oversight_list.SORTS, sort),
        "page": page,
        "site_count": len(entries),
        "scored_from": min(scored, default=None),
        "scored_to": max(scored, default=None),
        "stale": bool(scored) and timezone.now() - min(scored) > STALE_AFTER,
        "may_score": any(can_monitor_some_site(user, s.pk) for s in ([chosen] if chosen else studies)),
        "age_labels": [label for _, label in AGE_BUCKETS],
        "nav": "oversight",
    }
    partial = "monitoring/partials/oversight_table.html"
    return TemplateResponse(
        request, partial if wants_partial(request) else "monitoring/oversight.html", context
    )


@login_required
@require_POST
def oversight_score(request):
    """Score the KRIs of the chosen study (or of every study the reader may score) now and store the
    sites' flags; back to the same view of the oversight page."""
    user = request.user
    asked = request.POST.get("study") or "all"
    _, studies, chosen = _scope(user, asked)
    if asked != "all" and (chosen is None or str(chosen.pk) != asked):
        raise Http404("No such study among those you oversee.")
    targets = [s for s in ([chosen] if chosen else studies) if can_monitor_some_site(user, s.pk)]
    if not targets:
        raise PermissionDenied(
            gettext("Only the study's CRM and its monitors score its KRIs for the risk tiers.")
        )
    sites = sum(store_tier_flags(study=study, by=user) for study in targets)
    codes = ", ".join(study.code for study in targets)
    messages.success(
        request,
        ngettext(
            "KRIs scored for %(codes)s: %(n)s site's tier updated.",
            "KRIs scored for %(codes)s: %(n)s sites' tiers updated.",
            sites,
        )
        % {"codes": codes, "n": sites},
    )
    keep = {key: request.POST[key] for key in ("study", "by", "sort") if request.POST.get(key)}
    return redirect(f"{reverse('monitoring_oversight')}?{urlencode(keep)}")
