"""Pages of the monitoring plan (versions, a new version) and of a site's monitoring set-up."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.models import AuditEvent
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.forms.plans import PlanForm, SiteSetupForm
from trialdesk.monitoring.models import SiteMonitoring
from trialdesk.monitoring.permissions import ONLY_CRM, ONLY_SITE_CRA, can_manage_monitoring, can_monitor_site
from trialdesk.monitoring.views.common import (
    form_errors,
    require_sponsor_side,
    url,
    visible_site,
    visible_study,
)


@login_required
@require_safe
def plan(request, study_id):
    """The plan in force with its tier rules, and every earlier version with the reason it changed."""
    study = visible_study(request, study_id)
    require_sponsor_side(request.user, study.pk)
    versions = list(selectors.plans_for(request.user, study))
    events = AuditEvent.objects.visible_to(request.user).filter(
        object_type="monitoring.monitoringplan", object_id__in=[str(v.pk) for v in versions]
    )
    reasons = dict(events.values_list("object_id", "reason"))
    context = {
        "study": study,
        "plan": versions[0] if versions else None,
        "versions": [(v, reasons.get(str(v.pk), "")) for v in versions],
        "can_manage": can_manage_monitoring(request.user, study.pk),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/plan.html", context)


@login_required
def plan_new(request, study_id):
    """A new version of the plan (the first, or a change with its reason)."""
    study = visible_study(request, study_id)
    require(can_manage_monitoring(request.user, study.pk), ONLY_CRM)
    current = selectors.plan_in_force(study.pk)
    form = PlanForm(post_data(request), current=current)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.create_plan(
                    study=study,
                    by=request.user,
                    reason=form.reason_given(),
                    tier_rules=form.tier_values(),
                    **form.plan_values(),
                )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, gettext("New monitoring plan version saved."))
            return redirect(url("monitoring_plan", study_id=study.pk))
    context = {"study": study, "form": form, "current": current, "nav": "portfolio"}
    return TemplateResponse(request, "monitoring/plan_form.html", context)


@login_required
def setup(request, study_site_id):
    """The site's CRA and backup, its risk tier set by hand, and its travel points (the CRA: their travel)."""
    site = visible_site(request, study_site_id)
    require(can_monitor_site(request.user, site), ONLY_SITE_CRA)
    existing = SiteMonitoring.objects.filter(study_site=site).first()
    form = SiteSetupForm(
        post_data(request),
        instance=existing or SiteMonitoring(study_id=site.study_id, study_site=site),
        study_site=site,
        may_assign=can_manage_monitoring(request.user, site.study_id),
    )
    return form_page(
        request,
        form,
        lambda f: services.save_site_setup(
            study_site=site,
            by=request.user,
            reason=f.cleaned_data.get("reason", ""),
            expected_version=f.expected_version,
            **f.changed_values(),
        ),
        title=gettext("Monitoring set-up of site %(site_number)s of %(code)s")
        % {"site_number": site.site_number, "code": site.study.code},
        cancel_url=url("study_site_detail", study_site_id=site.pk),
        done=lambda s: url("study_site_detail", study_site_id=site.pk),
        saved=gettext("Monitoring set-up saved."),
        study=site.study,
    )
