"""Pages of monitoring visits: the study's list, plan one, the visit with its moves, the confirmation
letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.monitoring import letters, selectors, services
from trialdesk.monitoring.forms.visits import CancelForm, ConductForm, ConfirmForm, VisitFilterForm, VisitForm
from trialdesk.monitoring.models import MonitoringVisit, SiteMonitoring
from trialdesk.monitoring.permissions import ONLY_SITE_CRA, can_monitor_site
from trialdesk.monitoring.rules import visits as rules
from trialdesk.monitoring.views.common import url, visible_site, visible_study, visible_visit
from trialdesk.sites.models import StudySite

COLUMNS = (
    ("planned_on", "Planned"),
    ("site", "Site"),
    ("type", "Type"),
    ("status", "Status"),
    ("cra", "CRA"),
)


@login_required
@require_safe
def visit_list(request, study_id):
    """The study's monitoring visits the reader may see, filtered, sorted and paged."""
    study = visible_study(request, study_id)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    filters = VisitFilterForm(request.GET, sites=sites)
    sort = request.GET.get("sort", "-planned_on")
    visits = filters.apply(selectors.visits_for(request.user).filter(study=study), sort)
    context = {
        "study": study,
        "filters_form": filters,
        "page": paginate(visits, request),
        "columns": sort_columns(COLUMNS, sort),
        "nav": "portfolio",
    }
    template = (
        "monitoring/partials/visit_table.html" if wants_partial(request) else "monitoring/visit_list.html"
    )
    return TemplateResponse(request, template, context)


@login_required
def visit_create(request, study_site_id):
    site = visible_site(request, study_site_id)
    require(can_monitor_site(request.user, site), ONLY_SITE_CRA)
    setup = SiteMonitoring.objects.filter(study_site=site).first()
    initial = {"cra": setup.cra if setup and setup.cra_id else request.user, "planned_on": site.local_today()}
    visit = MonitoringVisit(study=site.study, study_site=site)
    form = VisitForm(post_data(request), instance=visit, study_site=site, initial=initial)
    return form_page(
        request,
        form,
        lambda f: services.schedule_visit(study_site=site, by=request.user, **f.changed_values()),
        title=gettext("Plan a monitoring visit at site %(site_number)s of %(code)s")
        % {"site_number": site.site_number, "code": site.study.code},
        cancel_url=url("study_site_detail", study_site_id=site.pk),
        done=lambda visit: url("monitoring_visit", monitoring_visit_id=visit.pk),
        saved=gettext("Visit planned."),
        study=site.study,
    )


@login_required
@require_safe
def visit_detail(request, monitoring_visit_id):
    visit = visible_visit(request, monitoring_visit_id)
    report = selectors.reports_for(request.user).filter(visit=visit).first()
    may_monitor = can_monitor_site(request.user, visit.study_site)
    context = {
        "visit": visit,
        "study": visit.study,
        "report": report,
        "may_monitor": may_monitor,
        "moves": [(move, rules.MOVE_LABELS[move]) for move in rules.allowed_moves(visit.status)]
        if may_monitor
        else [],
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/visit_detail.html", context)


@login_required
def visit_edit(request, monitoring_visit_id):
    visit = visible_visit(request, monitoring_visit_id)
    require(can_monitor_site(request.user, visit.study_site), ONLY_SITE_CRA)
    form = VisitForm(post_data(request), instance=visit, study_site=visit.study_site)
    return form_page(
        request,
        form,
        lambda f: services.update_visit(
            visit=visit,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change the %(visit)s at site %(site_number)s")
        % {"visit": visit, "site_number": visit.study_site.site_number},
        cancel_url=url("monitoring_visit", monitoring_visit_id=visit.pk),
        done=lambda v: url("monitoring_visit", monitoring_visit_id=v.pk),
        saved=gettext("Visit saved."),
        study=visit.study,
    )


def _move_page(request, monitoring_visit_id, move: str, form_class, values):
    visit = visible_visit(request, monitoring_visit_id)
    require(can_monitor_site(request.user, visit.study_site), ONLY_SITE_CRA)
    form = form_class(post_data(request), initial={"version": visit.version})
    if request.method == "POST":
        moved = submit(
            form,
            lambda f: services.move_visit(
                visit=visit,
                move=move,
                by=request.user,
                reason=f.cleaned_data.get("reason", ""),
                expected_version=f.cleaned_data.get("version"),
                **values(f),
            ),
        )
        if moved is not None:
            messages.success(
                request,
                gettext("Visit %(visit_moves)s.")
                % {"visit_moves": gettext(rules.VISIT_MOVES[(visit.status, move)])},
            )
            target = "monitoring_report" if move == "conduct" else "monitoring_visit"
            report = getattr(moved, "report", None) if move == "conduct" else None
            return redirect(
                url(target, visit_report_id=report.pk)
                if report
                else url("monitoring_visit", monitoring_visit_id=moved.pk)
            )
    context = {
        "form": form,
        "title": f"{gettext(rules.MOVE_LABELS[move])}: {visit}",
        "cancel_url": url("monitoring_visit", monitoring_visit_id=visit.pk),
        "study": visit.study,
    }
    return TemplateResponse(request, "form_page.html", context)


@login_required
def visit_confirm(request, monitoring_visit_id):
    return _move_page(
        request,
        monitoring_visit_id,
        "confirm",
        ConfirmForm,
        lambda f: {"confirmed_on": f.cleaned_data["confirmed_on"]},
    )


@login_required
def visit_conduct(request, monitoring_visit_id):
    return _move_page(request, monitoring_visit_id, "conduct", ConductForm, lambda f: f.values())


@login_required
def visit_cancel(request, monitoring_visit_id):
    return _move_page(request, monitoring_visit_id, "cancel", CancelForm, lambda f: {})


@login_required
@require_safe
def confirmation_letter(request, monitoring_visit_id):
    """The letter confirming the visit to the site (PDF), from the visit as recorded."""
    visit = visible_visit(request, monitoring_visit_id)
    if visit.status == rules.CANCELLED:
        raise Http404("A cancelled visit has no confirmation letter.")
    pdf = letters.confirmation_letter(visit)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="confirmation-{visit.study.code}-{visit.study_site.site_number}-'
        f'{visit.planned_on:%Y%m%d}.pdf"'
    )
    return response
