"""Pages of the sample-size calculator and of a study's saved planning assumptions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from trialdesk.core.forms import submit
from trialdesk.core.models import User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.views import wants_partial
from trialdesk.statistics import services
from trialdesk.statistics.forms import SampleSizeForm, SaveAssumptionForm, chosen_design
from trialdesk.statistics.models import PlanningAssumption
from trialdesk.studies.models import Study
from trialdesk.studies.selectors import studies_for

OPTIONS_TARGET = "design-options"


def _studies_managed_by(user: User) -> QuerySet[Study]:
    """The visible studies whose planning assumptions `user` may save (their CRM, or an administrator)."""
    visible = studies_for(user)
    return visible.filter(
        pk__in=[pk for pk in visible.values_list("pk", flat=True) if can_manage_study(user, pk)]
    )


def _calculator_form(request) -> SampleSizeForm:
    """Bound to the request when it asks for a calculation; unbound (defaults) when it only picks a design."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" or "calculate" in request.GET:
        return SampleSizeForm(data)
    return SampleSizeForm(design=chosen_design(data))


def _save(form: SampleSizeForm, study: Study, user: User):
    return lambda save_form: services.record_planning_assumption(
        study=study,
        label=save_form.cleaned_data["label"],
        design=form.design_name,
        parameters=form.parameters(),
        note=save_form.cleaned_data["note"],
        by=user,
    )


@login_required
def sample_size_calculator(request):
    """Choose a design, fill its options, see n or power with its method; save it to a study you manage."""
    user = request.user
    studies = _studies_managed_by(user)
    if request.method == "POST" and not studies.exists():
        raise PermissionDenied("Only a study's CRM or an administrator saves planning assumptions.")
    form = _calculator_form(request)
    if request.headers.get("HX-Target") == OPTIONS_TARGET and wants_partial(request):
        return TemplateResponse(request, "statistics/partials/design_options.html", {"form": form})
    save_form = SaveAssumptionForm(
        request.POST or None, studies=studies, initial={"study": request.GET.get("study")}
    )
    # Both forms are checked so that every error shows at once.
    if request.method == "POST" and all([form.is_valid(), save_form.is_valid()]):
        study = save_form.cleaned_data["study"]
        assumption = submit(save_form, _save(form, study, user))
        if assumption is not None:
            messages.success(
                request,
                _("Planning assumption '%(label)s' saved to %(code)s.")
                % {"label": assumption.label, "code": study.code},
            )
            return redirect("planning_assumption_list", study_id=study.pk)
    if form.is_bound:
        form.is_valid()
    context = {
        "form": form,
        "save_form": save_form,
        "can_save": studies.exists(),
        "save_action": reverse("sample_size_calculator"),
        "nav": "statistics",
    }
    return TemplateResponse(request, "statistics/sample_size.html", context)


@login_required
def planning_assumption_list(request, study_id):
    """A study's saved planning assumptions; its CRM may add one here from the calculator's inputs."""
    study = get_object_or_404(studies_for(request.user), pk=study_id)
    can_manage = can_manage_study(request.user, study.pk)
    if request.method == "POST":
        require(can_manage, "Only the study's CRM or an administrator saves planning assumptions.")
        form = SampleSizeForm(request.POST)
        save_form = SaveAssumptionForm(request.POST)
        if all([form.is_valid(), save_form.is_valid()]):
            assumption = submit(save_form, _save(form, study, request.user))
            if assumption is not None:
                saved = _("Planning assumption '%(label)s' saved.") % {"label": assumption.label}
                messages.success(request, saved)
                return redirect("planning_assumption_list", study_id=study.pk)
        context = {
            "form": form,
            "save_form": save_form,
            "can_save": True,
            "save_action": reverse("planning_assumption_list", kwargs={"study_id": study.pk}),
            "study": study,
        }
        return TemplateResponse(request, "statistics/sample_size.html", context)
    assumptions = PlanningAssumption.objects.visible_to(request.user).filter(study=study)
    context = {"study": study, "assumptions": assumptions, "can_manage": can_manage}
    return TemplateResponse(request, "statistics/planning_assumptions.html", context)
