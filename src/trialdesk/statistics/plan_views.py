"""The study page's Recruitment plan tab (actual against plan, per month and cumulative) and the plan
page where the study's CRM writes a new version, from a form or a CSV/Excel template."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.permissions import require
from trialdesk.interop import tabular
from trialdesk.sites.models import StudySite
from trialdesk.statistics import charts, plans, rules
from trialdesk.statistics.permissions import can_plan_recruitment
from trialdesk.statistics.plan_forms import BLANK_LINES, PlanLineFormSet, PlanVersionForm
from trialdesk.studies.selectors import studies_for


def _chosen_version(request) -> int | None:
    text = request.GET.get("plan_version", "")
    return int(text) if text.isdigit() and 0 < int(text) < 2**31 else None


def _plan_or_latest(user, study, version):
    try:
        return plans.plan_of(user, study, version), ""
    except ValidationError as error:
        return plans.plan_of(user, study), " ".join(error.messages)


def plan_tab(request, study) -> dict:
    """Context of the Recruitment plan tab: the chosen (or latest) version against what happened."""
    plan, problem = _plan_or_latest(request.user, study, _chosen_version(request))
    variance = plans.plan_variance(request.user, study, plan)
    head = variance.groups[0] if variance.groups else None
    return {
        "plan": plan,
        "plan_problem": problem,
        "plan_versions": plans.plan_versions(request.user, study),
        "variance": variance,
        "plan_groups": [
            {**group.__dict__, "label": plans.LEVEL_LABELS[group.level]} for group in variance.groups
        ],
        "plan_chart": None
        if head is None
        else charts.plan_chart(head.months, current_month=rules.month_of(variance.as_of)),
        "plan_chart_label": "" if head is None else f"{_(plans.LEVEL_LABELS[head.level])} {head.key}",
        "may_plan": can_plan_recruitment(request.user, study.pk),
    }


def _site_numbers(study) -> list[str]:
    return list(
        StudySite.objects.filter(study=study).order_by("site_number").values_list("site_number", flat=True)
    )


@login_required
def recruitment_plan(request, study_id):
    """The plan's versions, one of them in full, and (for its CRM) the form for a new version."""
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    may_plan = can_plan_recruitment(request.user, study.pk)
    shown, problem = _plan_or_latest(request.user, study, _chosen_version(request))
    numbers = _site_numbers(study) if may_plan else []
    if request.method == "POST":
        require(may_plan, "Only the study's CRM or an administrator plans recruitment.")
        form = PlanVersionForm(request.POST, request.FILES)
        formset = PlanLineFormSet(request.POST, prefix="lines", form_kwargs={"site_numbers": numbers})
        plan = _save(request, study, form, formset)
        if plan is not None:
            messages.success(
                request, _("Recruitment plan version %(version)s saved.") % {"version": plan.plan_version}
            )
            return redirect(f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=plan")
    else:
        form = PlanVersionForm()
        initial = [] if shown is None else list(shown.lines)
        formset = PlanLineFormSet(
            initial=initial + [{}] * BLANK_LINES, prefix="lines", form_kwargs={"site_numbers": numbers}
        )
    context = {
        "study": study,
        "shown": shown,
        "plan_problem": problem,
        "lines": [] if shown is None else plans.visible_lines(request.user, study, shown),
        "versions": plans.plan_versions(request.user, study),
        "may_plan": may_plan,
        "form": form,
        "formset": formset,
    }
    return TemplateResponse(request, "statistics/recruitment_plan.html", context)


def _save(request, study, form, formset):
    if not (form.is_valid() and formset.is_valid()):
        return None
    upload = form.cleaned_data.get("file")
    try:
        if upload is not None:
            lines = plans.lines_from_file(upload.read(), upload.name)
            indexes = list(range(len(lines)))
        else:
            entered = [(i, f.line()) for i, f in enumerate(formset.forms)]
            indexes = [i for i, line in entered if line is not None]
            lines = [line for _, line in entered if line is not None]
        return plans.create_recruitment_plan(
            study=study, lines=lines, reason=form.cleaned_data["reason"], by=request.user
        )
    except ValidationError as error:
        _place_errors(error, form, formset, indexes if upload is None else None)
    return None


def _place_errors(error: ValidationError, form, formset, indexes) -> None:
    """Put "lines.N.field" errors on the N-th entered line's field (or the file's, for an upload)."""
    for key, messages_ in error.message_dict.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) == 3 and indexes is not None:
            formset.forms[indexes[int(parts[1])]].add_error(parts[2], messages_)
        elif parts[0] == "lines" and len(parts) == 3:
            row = int(parts[1]) + 2
            located = [_("Row %(row)s: %(problem)s") % {"row": row, "problem": m} for m in messages_]
            form.add_error("file", located)
        elif key in form.fields:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)


@require_safe
@login_required
def recruitment_plan_template(request, study_id):
    """The plan's lines as a CSV template (the latest version you may read, or one line per site)."""
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    plan, _problem = _plan_or_latest(request.user, study, _chosen_version(request))
    if plan is not None:
        rows = plans.visible_lines(request.user, study, plan)
    else:
        month = rules.month_of(timezone.now().date())
        sites = StudySite.objects.visible_to(request.user).filter(study=study).select_related("institution")
        rows = [
            {
                "month": month,
                "country": s.institution.country,
                "site": s.site_number,
                "planned_activations": 0,
                "planned_enrollment": 0,
            }
            for s in sites.order_by("site_number")
        ]
        if not rows:
            rows = [
                {"month": month, "country": "", "site": "", "planned_activations": 0, "planned_enrollment": 0}
            ]
    text = tabular.write_csv(plans.PLAN_COLUMNS, rows)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{study.code}-recruitment-plan.csv"'
    return response
