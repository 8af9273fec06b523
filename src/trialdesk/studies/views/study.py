"""Pages of the portfolio and a study: the portfolio table, the study page and its tabs, the study form."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_safe

from trialdesk.core import audit, extensions
from trialdesk.core.audit.display import readable_events
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_create_study, can_manage_study, can_see_subject_level, require
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.studies import rules, saved_views, selectors, services
from trialdesk.studies.forms import (
    PortfolioFilterForm,
    StudyForm,
)
from trialdesk.studies.pages import tab_url, visible_study

PORTFOLIO_COLUMNS = (
    ("code", gettext_lazy("Protocol")),
    ("title", gettext_lazy("Title")),
    ("phase", gettext_lazy("Phase")),
    ("status", gettext_lazy("Status")),
    ("therapeutic_area", gettext_lazy("Therapeutic area")),
)


@login_required
@require_safe
def portfolio(request):
    user = request.user
    filters_form = PortfolioFilterForm(request.GET, therapeutic_areas=selectors.therapeutic_areas_for(user))
    filters = filters_form.filters()
    page = paginate(selectors.portfolio_results(user, **filters), request)
    context = {
        "filters_form": filters_form,
        "sort": filters["sort"],
        "columns": sort_columns(PORTFOLIO_COLUMNS, filters["sort"]),
        "variance_column": sort_columns((("variance", gettext("Variance")),), filters["sort"])[0],
        "page": page,
        "rows": selectors.portfolio_rows(list(page.object_list), user=user),
        "page_columns": selectors.page_columns(),
        "panels": _panels(extensions.portfolio_panels, request),
        "can_create_study": can_create_study(user),
        "nav": "portfolio",
    }
    if wants_partial(request):
        return TemplateResponse(request, "studies/partials/portfolio_table.html", context)
    context["saved_views"] = list(saved_views.views_for(user))
    context["current_query"] = saved_views.kept_query(request.GET.urlencode())
    return TemplateResponse(request, "studies/portfolio.html", context)


def _panels(registry, request, *args) -> list[tuple[str, dict]]:
    """(template, context) of each registered panel that has something to show."""
    shown = []
    for panel in registry:
        context = panel.context(request, *args)
        if context is not None:
            shown.append((panel.template, context))
    return shown


def overview_section(request, study):
    return {
        "protocol_version_count": selectors.protocol_versions_for(request.user, study).count(),
        "arm_count": selectors.arms_for(request.user, study).count(),
        "milestone_count": selectors.milestones_for(request.user, study).count(),
        "panels": _panels(extensions.study_overview_panels, request, study),
    }


def protocol_section(request, study):
    versions = selectors.protocol_versions_for(request.user, study)
    return {"protocol_rows": [(v, rules.PROTOCOL_TRANSITIONS.get(v.status, ())) for v in versions]}


def arms_section(request, study):
    return {"arms": selectors.arms_for(request.user, study)}


def milestones_section(request, study):
    return {"milestone_rows": [(m, m.standing()) for m in selectors.milestones_for(request.user, study)]}


def history_section(request, study):
    page = paginate(selectors.audit_trail_for(request.user, study), request)
    # What a reader may not see in an event's values (a blinded reader: the arm) is masked.
    # Then each event in words (field labels, related records' names), named in bulk for the page.
    masked = extensions.mask_audit_events(page.object_list, request.user)
    page.object_list = readable_events(masked, request.user)
    return {"page": page}


@login_required
@require_safe
def study_detail(request, study_id):
    study = visible_study(request, study_id)
    section = extensions.study_sections.get(request.GET.get("tab", "")) or next(
        iter(extensions.study_sections)
    )
    return study_page(request, study, section.key, section.context(request, study))


def study_page_groups(sections) -> list[dict]:
    """The study page's two-level navigation: each group (core.extensions.STUDY_PAGE_GROUPS order) with
    its label, its sections' tabs and the tab it opens on (its first)."""
    grouped: dict[str, list] = {}
    for section in sections:
        grouped.setdefault(section.group, []).append((section.key, section.label))
    order = list(extensions.STUDY_PAGE_GROUPS)
    keys = sorted(grouped, key=lambda group: order.index(group) if group in order else len(order))
    return [
        {
            "key": group,
            "label": extensions.STUDY_PAGE_GROUPS.get(group, group),
            "tabs": grouped[group],
            "first": grouped[group][0][0],
        }
        for group in keys
    ]


def study_page(request, study, tab: str, tab_context: dict):
    """The study page open on the section `tab`, with that section's context (the full page or, for
    htmx, the tabs alone)."""
    sections = list(extensions.study_sections)
    groups = study_page_groups(sections)
    active = next(group for group in groups if any(key == tab for key, _ in group["tabs"]))
    context = {
        "study": study,
        "tab": tab,
        "tabs": [(section.key, section.label) for section in sections],
        "groups": groups,
        "group_tabs": active["tabs"],
        "group_label": active["label"],
        "section_template": next(section.template for section in sections if section.key == tab),
        "can_manage": can_manage_study(request.user, study.pk),
        # Sections say "hidden" rather than show an empty list of participant-level records.
        "subjects_hidden": not can_see_subject_level(request.user, study.pk),
        "nav": "portfolio",
        **tab_context,
    }
    template = "studies/partials/study_tabs.html" if wants_partial(request) else "studies/study_detail.html"
    return TemplateResponse(request, template, context)


@login_required
@require_safe
def study_audit_export(request, study_id):
    """The study's audit trail as CSV (one row per changed field) or JSON (one object per event)."""
    study = visible_study(request, study_id)
    events = selectors.audit_trail_for(request.user, study).order_by("id")
    events = extensions.mask_audit_events(events.iterator(), request.user)
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
        title=gettext("New study"),
        cancel_url=reverse("portfolio"),
        done=lambda study: reverse("study_detail", kwargs={"study_id": study.pk}),
        saved=gettext("Study created."),
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
        title=gettext("Edit study %(code)s") % {"code": study.code},
        cancel_url=tab_url(study, "overview"),
        done=lambda s: tab_url(s, "overview"),
        saved=gettext("Study saved."),
        study=study,
    )
