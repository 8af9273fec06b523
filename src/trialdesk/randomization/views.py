"""Pages of randomization: the study's Randomization tab, the scheme form, the list, randomizing, unblinding.

Each page first finds its study or participant among those the user may see (else 404), then asks the
permission question (else 403), then validates.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.records import StaleVersion
from trialdesk.core.views import form_page, post_data
from trialdesk.randomization import rules, selectors, services
from trialdesk.randomization.concealment import Reader, holds_unblinded_access, sees_allocations
from trialdesk.randomization.forms import (
    ActivateForm,
    GrantAccessForm,
    RandomizeForm,
    RevokeAccessForm,
    SchemeForm,
    UnblindForm,
)
from trialdesk.randomization.permissions import may_grant_unblinded_access, may_randomize, may_unblind
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

TAB_ROWS = 200
LIST_ONLY_UNBLINDED = "Only people with unblinded access to this study see its randomization list."


def _visible_study(request, study_id) -> Study:
    return get_object_or_404(Study.objects.visible_to(request.user), pk=study_id)


def _visible_participant(request, participant_id) -> Participant:
    participants = Participant.objects.visible_to(request.user).select_related("study", "study_site")
    return get_object_or_404(participants, pk=participant_id)


def tab_url(study: Study) -> str:
    return f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=randomization"


def _post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def study_tab(request, study: Study) -> dict:
    """The Randomization tab of the study page: scheme, allocations as the user may see them, unblindings."""
    user = request.user
    reader = Reader(user)
    scheme = selectors.scheme_for(user, study)
    allocations = selectors.allocations_for(user, study)[:TAB_ROWS]
    return {
        "scheme": scheme,
        "shows_block_sizes": reader.sees_block_sizes(study.pk),
        "shows_seed": reader.sees_seed(study.pk),
        "sees_allocations": sees_allocations(user, study),
        "allocation_rows": [selectors.AllocationRow(a, reader.arm_of(a)) for a in allocations],
        "awaiting": list(selectors.awaiting_randomization(user, study)[:TAB_ROWS]),
        "unblindings": selectors.unblindings_for(user, study)[:50],
        "notifications": list(selectors.unread_notifications(user, study)),
        "grants": selectors.unblinded_access_for(user, study),
        "may_grant": may_grant_unblinded_access(user, study.pk),
    }


# --- the scheme --------------------------------------------------------------------------------


@login_required
def scheme_create(request, study_id):
    study = _visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk), services.MANAGERS_ONLY)
    if selectors.scheme_for(request.user, study) is not None:
        return redirect("randomization_scheme_edit", study_id=study.pk)
    form = SchemeForm(post_data(request), study=study)
    return form_page(
        request,
        form,
        lambda f: services.create_scheme(study=study, by=request.user, **f.scheme_values()),
        title=gettext("Randomization scheme of %(code)s") % {"code": study.code},
        cancel_url=tab_url(study),
        done=lambda scheme: tab_url(study),
        saved=gettext("Randomization scheme saved as a draft. Activate it to start randomizing."),
        study=study,
    )


@login_required
def scheme_edit(request, study_id):
    study = _visible_study(request, study_id)
    require(can_manage_study(request.user, study.pk), services.MANAGERS_ONLY)
    scheme = selectors.scheme_for(request.user, study)
    if scheme is None:
        return redirect("randomization_scheme_create", study_id=study.pk)
    show_seed = holds_unblinded_access(request.user, study.pk)
    form = SchemeForm(post_data(request), study=study, scheme=scheme, show_seed=show_seed)
    return form_page(
        request,
        form,
        lambda f: services.update_scheme(
            scheme=scheme,
            changes=f.scheme_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit the randomization scheme of %(code)s") % {"code": study.code},
        cancel_url=tab_url(study),
        done=lambda s: tab_url(study),
        saved=gettext("Randomization scheme saved."),
        study=study,
    )


@login_required
def scheme_activate(request, study_id):
    study = _visible_study(request, study_id)
    if refused := _post_only(request):
        return refused
    require(can_manage_study(request.user, study.pk), services.MANAGERS_ONLY)
    scheme = get_object_or_404(selectors.schemes_for(request.user, study))
    form = ActivateForm(request.POST)
    form.is_valid()
    try:
        services.activate_scheme(
            scheme=scheme,
            by=request.user,
            reason=form.cleaned_data.get("reason") or "",
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        messages.error(
            request,
            gettext("The scheme was not activated: %(problems)s") % {"problems": " ".join(error.messages)},
        )
    except StaleVersion as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Randomization scheme active: participants can now be randomized."))
    return redirect(tab_url(study))


@login_required
@require_safe
def randomization_list(request, study_id):
    """The list itself, used and unused slots, for people with unblinded access only."""
    study = _visible_study(request, study_id)
    require(holds_unblinded_access(request.user, study.pk), LIST_ONLY_UNBLINDED)
    context = {
        "study": study,
        "scheme": selectors.scheme_for(request.user, study),
        "page": paginate(selectors.randomization_list_for(request.user, study), request),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "randomization/list.html", context)


# --- unblinded access and notifications -------------------------------------------------------


@login_required
def access_grant(request, study_id):
    study = _visible_study(request, study_id)
    require(may_grant_unblinded_access(request.user, study.pk), services.MANAGERS_ONLY)
    form = GrantAccessForm(post_data(request))
    return form_page(
        request,
        form,
        lambda f: services.grant_unblinded_access(
            study=study, user=f.person, reason=f.cleaned_data["reason"], by=request.user
        ),
        title=gettext("Give unblinded access to %(code)s") % {"code": study.code},
        cancel_url=tab_url(study),
        done=lambda access: tab_url(study),
        saved=gettext("Unblinded access granted."),
        study=study,
    )


@login_required
def access_revoke(request, study_id):
    study = _visible_study(request, study_id)
    if refused := _post_only(request):
        return refused
    require(may_grant_unblinded_access(request.user, study.pk), services.MANAGERS_ONLY)
    form = RevokeAccessForm(request.POST, grants=selectors.unblinded_access_for(request.user, study))
    revoked = submit(
        form,
        lambda f: (
            services.revoke_unblinded_access(
                access=f.cleaned_data["access"], by=request.user, reason=f.cleaned_data["reason"]
            )
            or True
        ),
    )
    if revoked:
        messages.success(request, gettext("Unblinded access revoked."))
    else:
        problems = [message for errors in form.errors.values() for message in errors]
        messages.error(
            request, gettext("Access not revoked: %(problems)s") % {"problems": " ".join(problems)}
        )
    return redirect(tab_url(study))


@login_required
def notifications_read(request, study_id):
    study = _visible_study(request, study_id)
    if refused := _post_only(request):
        return refused
    require(can_manage_study(request.user, study.pk), services.MANAGERS_ONLY)
    services.mark_notifications_read(study=study, by=request.user)
    return redirect(tab_url(study))


# --- a participant -----------------------------------------------------------------------------


@login_required
def participant_randomization(request, participant_id):
    """A participant's allocation (the arm, or "blinded"); for site staff and the CRM, the randomize form."""
    participant = _visible_participant(request, participant_id)
    user = request.user
    if request.method == "POST":
        require(
            may_randomize(user, participant), gettext("Only the site's staff or the study's CRM randomize.")
        )
    row = selectors.allocation_of(user, participant)
    scheme = selectors.scheme_for(user, participant.study)
    ready = scheme is not None and scheme.is_active and row is None and may_randomize(user, participant)
    form = None
    if ready or request.method == "POST":
        factors = scheme.factors if scheme is not None else []
        form = RandomizeForm(post_data(request), factors=factors)
    if request.method == "POST":
        allocation = submit(
            form,
            lambda f: services.randomize(participant=participant, factor_levels=f.factor_levels(), by=user),
        )
        if allocation is not None:
            shown = Reader(user).arm_of(allocation)
            if shown:
                arm = gettext("arm %(code)s (%(name)s)") % {"code": shown.code, "name": shown.name}
            else:
                arm = gettext("an arm that stays blinded")
            messages.success(
                request,
                gettext("Participant %(number)s is randomized to %(arm)s.")
                % {"number": participant.number, "arm": arm},
            )
            return redirect("participant_randomization", participant_id=participant.pk)
    context = {
        "study": participant.study,
        "participant": participant,
        "row": row,
        "scheme": scheme,
        "form": form,
        "may_unblind": row is not None and row.blinded and may_unblind(user, participant),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "randomization/participant.html", context)


@login_required
def participant_unblind(request, participant_id):
    """Emergency unblinding of one participant, signed with the user's password."""
    participant = _visible_participant(request, participant_id)
    user = request.user
    require(
        may_unblind(user, participant),
        gettext("Only the site's investigator, a safety officer or the CRM unblinds."),
    )
    row = selectors.allocation_of(user, participant)
    # Not offered for a participant never randomized (nor in an open-label study): no arm to reveal.
    problem = rules.unblinding_problem(
        participant_number=participant.number, randomized=row is not None, blinded=participant.study.blinded
    )
    form = UnblindForm(post_data(request))
    if request.method == "POST":
        event = submit(
            form,
            lambda f: services.unblind(
                participant=participant,
                reason=f.cleaned_data["reason"],
                password=f.cleaned_data["password"],
                by=user,
            ),
        )
        if event is not None:
            arm = event.allocation.arm
            messages.warning(
                request,
                gettext("Participant %(number)s is unblinded: arm %(code)s (%(name)s).")
                % {"number": participant.number, "code": arm.code, "name": arm.name},
            )
            return redirect("participant_randomization", participant_id=participant.pk)
    context = {
        "study": participant.study,
        "participant": participant,
        "form": form,
        "row": row,
        "problem": problem,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "randomization/unblind.html", context)
