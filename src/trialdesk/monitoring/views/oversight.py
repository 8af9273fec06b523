"""The CRM's oversight of monitoring across CRAs and sites (a CRA sees their own sites)."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from trialdesk.core.pagination import paginate
from trialdesk.monitoring.rules.actions import AGE_BUCKETS
from trialdesk.monitoring.scoping import sponsor_side
from trialdesk.monitoring.selectors.oversight import by_cra, site_oversight
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Study


@login_required
@require_safe
def oversight(request):
    """Per CRA and per site: visits done against the plan, report turnaround, open action items by age,
    SDV coverage against target, travel days and carbon, for one study (`?study=`, the first by default:
    a CRM oversees study by study) or all of them (`?study=all`, slower for a large portfolio)."""
    user = request.user
    sites = StudySite.objects.filter(sponsor_side(user, study_path="study", site_path="pk"))
    studies = Study.objects.filter(pk__in=sites.values("study_id")).order_by("code")
    asked = request.GET.get("study", "")
    chosen = next((s for s in studies if str(s.pk) == asked), None)
    if chosen is None and asked != "all":
        chosen = studies.first()
    if chosen is not None:
        sites = sites.filter(study=chosen)
    rows = site_oversight(
        list(sites.select_related("study", "institution").order_by("study__code", "site_number"))
    )
    context = {
        "studies": studies,
        "chosen": chosen,
        "cras": by_cra(rows),
        "page": paginate(rows, request),
        "age_labels": [label for _, label in AGE_BUCKETS],
        "nav": "oversight",
    }
    return TemplateResponse(request, "monitoring/oversight.html", context)
