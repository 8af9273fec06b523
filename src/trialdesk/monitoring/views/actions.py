"""Pages of action items: the study's list, raise one at a site, the item with its moves (resolve,
verify and close, reopen), change it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.forms.quality import ActionFilterForm, ActionItemForm, ActionMoveForm
from trialdesk.monitoring.models import ActionItem
from trialdesk.monitoring.permissions import ONLY_SITE_CRA, can_monitor_site, can_work_on_action_item
from trialdesk.monitoring.rules import actions as rules
from trialdesk.monitoring.views.common import url, visible_site, visible_study
from trialdesk.sites.models import StudySite

COLUMNS = (("number", "Item"), ("site", "Site"), ("owner", "Owner"), ("due_on", "Due"), ("status", "Status"))
SORTS = {
    "number": "number",
    "site": "study_site__site_number",
    "owner": "owner__username",
    "due_on": "due_on",
    "status": "status",
}


def _filtered(request, items, form: ActionFilterForm):
    form.is_valid()
    data = form.cleaned_data
    status = data.get("status") or ""
    if status == "":
        items = items.exclude(status=rules.CLOSED)
    elif status != "all":
        items = items.filter(status=status)
    if data.get("site") in form.sites:
        items = items.filter(study_site=form.sites[data["site"]])
    if data.get("mine"):
        items = items.filter(owner=request.user)
    if data.get("overdue"):
        items = items.filter(status=rules.OPEN, due_on__lt=timezone.localdate())
    return items


@login_required
@require_safe
def action_item_list(request, study_id):
    study = visible_study(request, study_id)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    form = ActionFilterForm(request.GET, sites=sites)
    sort = request.GET.get("sort", "due_on")
    order = SORTS.get(sort.removeprefix("-"), "due_on")
    items = _filtered(request, selectors.action_items_for(request.user).filter(study=study), form)
    items = items.order_by(("-" if sort.startswith("-") else "") + order, "number")
    page = paginate(items, request)
    context = {
        "study": study,
        "filters_form": form,
        "page": page,
        "rows": [(item, item.study_site.local_today()) for item in page.object_list],
        "columns": sort_columns(COLUMNS, sort),
        "nav": "portfolio",
    }
    template = (
        "monitoring/partials/action_table.html"
        if wants_partial(request)
        else "monitoring/action_item_list.html"
    )
    return TemplateResponse(request, template, context)


@login_required
def action_item_create(request, study_site_id):
    site = visible_site(request, study_site_id)
    require(can_monitor_site(request.user, site), ONLY_SITE_CRA)
    instance = ActionItem(study=site.study, study_site=site, raised_on=site.local_today())
    form = ActionItemForm(post_data(request), instance=instance, study_site=site)
    return form_page(
        request,
        form,
        lambda f: services.raise_action_item(study_site=site, by=request.user, **f.changed_values()),
        title=gettext("New action item at site %(site_number)s of %(code)s")
        % {"site_number": site.site_number, "code": site.study.code},
        cancel_url=url("study_site_detail", study_site_id=site.pk),
        done=lambda item: url("monitoring_action_item", action_item_id=item.pk),
        saved=gettext("Action item raised."),
        study=site.study,
    )


def _visible_item(request, action_item_id) -> ActionItem:
    return get_object_or_404(selectors.action_items_for(request.user), pk=action_item_id)


@login_required
def action_item_detail(request, action_item_id):
    """The item; POST `move` (resolve, close, reopen) with what was done or why."""
    item = _visible_item(request, action_item_id)
    form = ActionMoveForm(post_data(request), initial={"version": item.version})
    if request.method == "POST":
        move = request.POST.get("move", "")
        if move in rules.VERIFYING_MOVES:
            require(can_monitor_site(request.user, item.study_site), ONLY_SITE_CRA)
        else:
            require(can_work_on_action_item(request.user, item), services.actions.NOT_YOURS)
        moved = submit(
            form,
            lambda f: services.move_action_item(
                item=item,
                move=move,
                by=request.user,
                resolution=f.cleaned_data["resolution"],
                reason=f.cleaned_data["reason"],
                expected_version=f.cleaned_data.get("version"),
            ),
        )
        if moved is not None:
            messages.success(
                request,
                gettext("%(moved)s is %(value)s.")
                % {"moved": moved, "value": gettext(moved.get_status_display()).lower()},
            )
            return redirect(url("monitoring_action_item", action_item_id=item.pk))
    today = item.study_site.local_today()
    may_verify = can_monitor_site(request.user, item.study_site)
    may_resolve = can_work_on_action_item(request.user, item)
    moves = [
        m
        for m in rules.allowed_moves(item.status)
        if (may_verify if m in rules.VERIFYING_MOVES else may_resolve)
    ]
    context = {
        "item": item,
        "study": item.study,
        "form": form,
        "moves": moves,
        "may_edit": may_verify and item.status != rules.CLOSED,
        "overdue": rules.is_overdue(status=item.status, due_on=item.due_on, today=today),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "monitoring/action_item_detail.html", context)


@login_required
def action_item_edit(request, action_item_id):
    item = _visible_item(request, action_item_id)
    require(can_monitor_site(request.user, item.study_site), ONLY_SITE_CRA)
    form = ActionItemForm(post_data(request), instance=item, study_site=item.study_site)
    return form_page(
        request,
        form,
        lambda f: services.update_action_item(
            item=item,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Change %(item)s") % {"item": item},
        cancel_url=url("monitoring_action_item", action_item_id=item.pk),
        done=lambda i: url("monitoring_action_item", action_item_id=i.pk),
        saved=gettext("Action item saved."),
        study=item.study,
    )
