"""Pages of the portfolio and a study: the portfolio table, the study page and its tabs, the study form."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from trialdesk.core import audit
from trialdesk.core import selectors as core_selectors
from trialdesk.core import services as core_services
from trialdesk.core.forms import TeamGrantForm, submit
from trialdesk.core.models import User
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_create_study, can_manage_study, require
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.documents import tabs as document_tabs
from trialdesk.integrations import tabs as integration_tabs
from trialdesk.people import tabs as people_tabs
from trialdesk.randomization.concealment import mask_events
from trialdesk.randomization.views import study_tab as randomization_tab
from trialdesk.regulatory import tabs as regulatory_tabs
from trialdesk.safety import selectors as safety_selectors
from trialdesk.safety import tabs as safety_tabs
from trialdesk.statistics.forecast_views import forecast_tab
from trialdesk.statistics.tabs import kri_tab
from trialdesk.studies import rules, selectors, services
from trialdesk.studies.forms import (
    PortfolioFilterForm,
    StudyForm,
)
from trialdesk.studies.pages import tab_url, visible_study
from trialdesk.subjects import tabs as subject_tabs
from trialdesk.visits.views import deviations_tab

PORTFOLIO_COLUMNS = (
    ("code", "Protocol"),
    ("title", "Title"),
    ("phase", "Phase"),
    ("status", "Status"),
    ("therapeutic_area", "Therapeutic area"),
)
TABS = (
    ("overview", "Overview"),
    ("protocol", "Protocol versions"),
    ("arms", "Arms"),
    ("milestones", "Milestones"),
    ("sites", "Sites"),
    ("team", "Team"),
    *subject_tabs.TABS,
    ("randomization", "Randomization"),
    ("deviations", "Deviations"),
    *safety_tabs.TABS,
    *regulatory_tabs.TABS,
    *document_tabs.TABS,
    *people_tabs.TABS,
    *integration_tabs.TABS,
    ("kri", "Risk indicators"),
    ("forecast", "Forecast"),
    ("history", "History"),
)


def _sort_columns(current: str) -> list[dict]:
    """Column headers: clicking a column sorts by it, clicking it again reverses the order."""
    columns = []
    for key, label in PORTFOLIO_COLUMNS:
        ascending, descending = current == key, current == f"-{key}"
        columns.append(
            {
                "label": label,
                "sort": f"-{key}" if ascending else key,
                "indicator": "▲" if ascending else "▼" if descending else "",
            }
        )
    return columns


@login_required
@require_safe
def portfolio(request):
    user = request.user
    filters_form = PortfolioFilterForm(request.GET, therapeutic_areas=selectors.therapeutic_areas_for(user))
    filters = filters_form.filters()
    page = paginate(selectors.portfolio(user, **filters), request)
    context = {
        "filters_form": filters_form,
        "sort": filters["sort"],
        "columns": _sort_columns(filters["sort"]),
        "page": page,
        "rows": selectors.portfolio_rows(list(page.object_list)),
        "can_create_study": can_create_study(user),
        "safety_counts": safety_selectors.board_counts(user),
        "nav": "portfolio",
    }
    template = "studies/partials/portfolio_table.html" if wants_partial(request) else "studies/portfolio.html"
    return TemplateResponse(request, template, context)


def _overview(request, study):
    sites = list(selectors.sites_for(request.user, study))
    countries = sorted({(s.institution.country, s.institution.country_name) for s in sites})
    return {
        "countries": countries,
        "site_count": len(sites),
        "active_site_count": sum(1 for s in sites if s.is_active),
        "target_enrollment_of_sites": sum(s.target_enrollment for s in sites),
        "protocol_version_count": selectors.protocol_versions_for(request.user, study).count(),
        "arm_count": selectors.arms_for(request.user, study).count(),
        "milestone_count": selectors.milestones_for(request.user, study).count(),
        **subject_tabs.overview_numbers(request, study),
    }


def _protocol(request, study):
    versions = selectors.protocol_versions_for(request.user, study)
    return {"protocol_rows": [(v, rules.PROTOCOL_TRANSITIONS.get(v.status, ())) for v in versions]}


def _arms(request, study):
    return {"arms": selectors.arms_for(request.user, study)}


def _milestones(request, study):
    return {"milestone_rows": [(m, m.standing()) for m in selectors.milestones_for(request.user, study)]}


def _sites(request, study):
    return {"sites": selectors.sites_for(request.user, study)}


def _team(request, study, grant_form=None):
    """The study's people, study-wide first, then site by site; the grant form for its managers."""
    rows = [
        (assignment, core_services.may_revoke_role(request.user, assignment))
        for assignment in core_selectors.team_of(request.user, study)
    ]
    if grant_form is None and can_manage_study(request.user, study.pk):
        grant_form = _team_grant_form(request, study)
    return {"team_rows": rows, "grant_form": grant_form}


def _team_grant_form(request, study, data=None) -> TeamGrantForm:
    sites = selectors.sites_for(request.user, study).order_by("site_number")
    return TeamGrantForm(data, study=study, sites=sites, people=User.objects.all())


def _history(request, study):
    page = paginate(selectors.audit_trail_for(request.user, study), request)
    # Allocation concealment: a blinded reader sees "blinded" where an event holds an arm.
    page.object_list = list(mask_events(page.object_list, request.user))
    return {"page": page}


TAB_CONTEXT = {
    "overview": _overview,
    "protocol": _protocol,
    "arms": _arms,
    "milestones": _milestones,
    "sites": _sites,
    "team": _team,
    **subject_tabs.TAB_CONTEXT,
    "randomization": randomization_tab,
    "deviations": deviations_tab,
    **safety_tabs.TAB_CONTEXT,
    **regulatory_tabs.TAB_CONTEXT,
    **document_tabs.TAB_CONTEXT,
    **people_tabs.TAB_CONTEXT,
    **integration_tabs.TAB_CONTEXT,
    "kri": kri_tab,
    "forecast": forecast_tab,
    "history": _history,
}


@login_required
@require_safe
def study_detail(request, study_id):
    study = visible_study(request, study_id)
    tab = request.GET.get("tab", "overview")
    if tab not in TAB_CONTEXT:
        tab = "overview"
    return _study_page(request, study, tab, TAB_CONTEXT[tab](request, study))


def _study_page(request, study, tab, tab_context):
    context = {
        "study": study,
        "tab": tab,
        "tabs": TABS,
        "can_manage": can_manage_study(request.user, study.pk),
        "nav": "portfolio",
        **tab_context,
    }
    template = "studies/partials/study_tabs.html" if wants_partial(request) else "studies/study_detail.html"
    return TemplateResponse(request, template, context)


@login_required
def study_team_grant(request, study_id):
    """Put a person on the study's team (the study's CRM or an administrator); errors stay on the tab."""
    study = visible_study(request, study_id)
    if request.method != "POST":
        # The tab links of a page shown after a refused grant point here; send them to the study page.
        tab = request.GET.get("tab", "")
        return redirect(tab_url(study, tab if tab in TAB_CONTEXT else "team"))
    require(can_manage_study(request.user, study.pk), "Only the study's CRM or an administrator does this.")
    form = _team_grant_form(request, study, request.POST)
    granted = submit(form, lambda f: core_services.assign_role(by=request.user, **f.grant()))
    if granted is None:
        return _study_page(request, study, "team", _team(request, study, grant_form=form))
    messages.success(request, f"{granted.get_role_display()} granted to {granted.user.username}.")
    return redirect(tab_url(study, "team"))


@login_required
@require_safe
def study_audit_export(request, study_id):
    """The study's audit trail as CSV (one row per changed field) or JSON (one object per event)."""
    study = visible_study(request, study_id)
    events = selectors.audit_trail_for(request.user, study).order_by("id")
    events = mask_events(events.iterator(), request.user)
    export_format = request.GET.get("format", "csv")
    filename = f"{study.code}-audit-trail.{export_format}"
    if export_format == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        audit.write_csv(response, events)
    elif export_format == "json":
        payload = {"study": study.code, "events": [audit.event_document(e) for e in events]}
        response = HttpResponse(
            json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json"
        )
    else:
        return HttpResponseBadRequest("Choose format=csv or format=json.")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def study_create(request):
    require(can_create_study(request.user), "Only administrators and CRMs set up studies.")
    form = StudyForm(post_data(request), user=request.user)
    return form_page(
        request,
        form,
        lambda f: services.create_study(by=request.user, **f.changed_values()),
        title="New study",
        cancel_url=reverse("portfolio"),
        done=lambda study: reverse("study_detail", kwargs={"study_id": study.pk}),
        saved="Study created.",
    )


@login_required
def study_edit(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk))
    form = StudyForm(post_data(request), instance=study, user=request.user)
    return form_page(
        request,
        form,
        lambda f: services.update_study(
            study=study,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=f"Edit study {study.code}",
        cancel_url=tab_url(study, "overview"),
        done=lambda s: tab_url(s, "overview"),
        saved="Study saved.",
        study=study,
    )
