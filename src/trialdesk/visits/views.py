"""Pages for the schedule of activities, a participant's visits, missed visits and protocol deviations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.sites.models import StudySite
from trialdesk.studies import selectors as study_selectors
from trialdesk.visits import rules, selectors, services
from trialdesk.visits.forms import (
    UNSCHEDULED,
    DeviationFilterForm,
    DeviationForm,
    DeviationReviewForm,
    RecordVisitForm,
    ScheduleForm,
    VisitDefinitionForm,
)
from trialdesk.visits.models import ProtocolDeviation, VisitDefinition
from trialdesk.visits.permissions import (
    can_manage_schedule,
    can_record_deviations,
    can_record_deviations_in_study,
    can_record_visits,
    can_review_deviations,
)


def _visible_study(request, study_id):
    return get_object_or_404(study_selectors.studies_for(request.user), pk=study_id)


# Schedule of activities ------------------------------------------------------------------------------


def _schedule_url(protocol_version) -> str:
    return reverse("visit_schedule", kwargs={"protocol_version_id": protocol_version.pk})


@login_required
@require_safe
def visit_schedule(request, protocol_version_id):
    """A protocol version's schedule of activities, in the order of the schedule."""
    version = get_object_or_404(selectors.protocol_versions_for(request.user), pk=protocol_version_id)
    context = {
        "protocol_version": version,
        "study": version.study,
        "definitions": selectors.visit_definitions_for(request.user, version),
        "is_current": (current := selectors.schedule_version_of(version.study)) is not None
        and current.pk == version.pk,
        "can_manage": can_manage_schedule(request.user, version.study_id),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "visits/schedule.html", context)


@login_required
def visit_definition_create(request, protocol_version_id):
    version = get_object_or_404(selectors.protocol_versions_for(request.user), pk=protocol_version_id)
    require(can_manage_schedule(request.user, version.study_id), services.ONLY_SCHEDULE_MANAGERS)
    form = VisitDefinitionForm(post_data(request), instance=VisitDefinition(protocol_version=version))
    return form_page(
        request,
        form,
        lambda f: services.create_visit_definition(
            protocol_version=version, by=request.user, **f.changed_values()
        ),
        title=gettext("New visit in the schedule of %(code)s %(version)s")
        % {"code": version.study.code, "version": version},
        cancel_url=_schedule_url(version),
        done=lambda d: _schedule_url(version),
        saved=gettext("Visit added to the schedule."),
        study=version.study,
    )


@login_required
def visit_definition_edit(request, visit_definition_id):
    definitions = VisitDefinition.objects.visible_to(request.user).select_related("protocol_version__study")
    definition = get_object_or_404(definitions, pk=visit_definition_id)
    version = definition.protocol_version
    require(can_manage_schedule(request.user, version.study_id), services.ONLY_SCHEDULE_MANAGERS)
    form = VisitDefinitionForm(post_data(request), instance=definition)
    return form_page(
        request,
        form,
        lambda f: services.update_visit_definition(
            definition=definition,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit visit %(definition)s of %(code)s %(version)s")
        % {"definition": definition, "code": version.study.code, "version": version},
        cancel_url=_schedule_url(version),
        done=lambda d: _schedule_url(version),
        saved=gettext("Visit saved. Visits already scheduled keep their dates."),
        study=version.study,
    )


# A participant's visits ------------------------------------------------------------------------------


def _visible_participant(request, participant_id):
    return get_object_or_404(selectors.participants_for(request.user), pk=participant_id)


def _visits_url(participant) -> str:
    return reverse("participant_visits", kwargs={"participant_id": participant.pk})


def _record_form(request, participant, data=None) -> RecordVisitForm:
    scheduled = selectors.visits_for(request.user).filter(participant=participant, definition__isnull=False)
    return RecordVisitForm(data, visits=scheduled.order_by("target_on", "definition__order", "id"))


def _visits_page(request, participant, *, record_form=None, schedule_form=None, status=200):
    may_record = can_record_visits(request.user, participant.study_site)
    context = {
        "participant": participant,
        "study": participant.study,
        "site": participant.study_site,
        "site_today": participant.study_site.local_today(),
        "rows": selectors.visit_rows(request.user, participant),
        "may_record": may_record,
        "record_form": record_form or (_record_form(request, participant) if may_record else None),
        "schedule_form": schedule_form or (ScheduleForm() if may_record else None),
        "schedule_version": selectors.schedule_version_of(participant.study),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "visits/participant_visits.html", context, status=status)


@login_required
@require_safe
def participant_visits(request, participant_id):
    """A participant's visits with their standing on the site's today, and the record-visit form."""
    return _visits_page(request, _visible_participant(request, participant_id))


def _record(request, participant, form: RecordVisitForm):
    data = form.cleaned_data
    visit = form.chosen_visit()
    if data["visit"] == UNSCHEDULED or visit is None:
        return services.record_unscheduled_visit(
            participant=participant,
            done_on=data["done_on"],
            modality=data["modality"],
            note=data["note"],
            reason=data["reason"],
            by=request.user,
        )
    return services.record_visit(
        scheduled_visit=visit,
        done_on=data["done_on"],
        modality=data["modality"],
        reason=data["reason"],
        by=request.user,
    )


@login_required
def participant_visit_record(request, participant_id):
    participant = _visible_participant(request, participant_id)
    if request.method != "POST":
        return redirect(_visits_url(participant))
    require(can_record_visits(request.user, participant.study_site), services.ONLY_SITE_STAFF)
    form = _record_form(request, participant, request.POST)
    visit = submit(form, lambda f: _record(request, participant, f))
    if visit is None:
        return _visits_page(request, participant, record_form=form)
    day = f"{visit.done_on:%Y-%m-%d}"
    if visit.out_of_window:
        messages.success(
            request, gettext("Visit recorded on %(day)s. It was out of its window.") % {"day": day}
        )
    else:
        messages.success(request, gettext("Visit recorded on %(day)s.") % {"day": day})
    for deviation in visit.deviations.filter(created_automatically=True, review_status="needs_review"):
        messages.warning(
            request,
            gettext("%(value)s deviation created for review: %(description)s")
            % {"value": deviation.get_category_display(), "description": deviation.description},
        )
    return redirect(_visits_url(participant))


@login_required
def participant_visit_schedule(request, participant_id):
    participant = _visible_participant(request, participant_id)
    if request.method != "POST":
        return redirect(_visits_url(participant))
    require(can_record_visits(request.user, participant.study_site), services.ONLY_SITE_STAFF)
    form = ScheduleForm(request.POST)
    visits = submit(
        form,
        lambda f: services.schedule_visits(
            participant=participant,
            anchor=f.cleaned_data["anchor"],
            anchor_on=f.cleaned_data["anchor_on"],
            by=request.user,
        ),
    )
    if visits is None:
        return _visits_page(request, participant, schedule_form=form)
    messages.success(
        request,
        ngettext(
            "%(count)d visit on the schedule for this anchor.",
            "%(count)d visits on the schedule for this anchor.",
            len(visits),
        )
        % {"count": len(visits)},
    )
    return redirect(_visits_url(participant))


# Missed visits ---------------------------------------------------------------------------------------


@login_required
@require_safe
def missed_visits(request, study_id):
    """The study's visits whose window closed (at the site's today) without the visit being done."""
    study = _visible_study(request, study_id)
    context = {
        "study": study,
        "page": paginate(selectors.missed_visits_for(request.user, study), request),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "visits/missed_visits.html", context)


# Protocol deviations ---------------------------------------------------------------------------------


def _deviation_list_url(study) -> str:
    return reverse("deviation_list", kwargs={"study_id": study.pk})


def _sites(request, study):
    return StudySite.objects.visible_to(request.user).filter(study=study).select_related("institution")


def _deviation_form(request, study, data=None, instance=None) -> DeviationForm:
    sites = [s.pk for s in _sites(request, study) if can_record_deviations(request.user, s)]
    return DeviationForm(
        data,
        instance=instance or ProtocolDeviation(study=study),
        sites=_sites(request, study).filter(pk__in=sites).order_by("site_number"),
        participants=selectors.participants_for(request.user).filter(study=study).order_by("number"),
    )


@login_required
@require_safe
def deviation_list(request, study_id):
    study = _visible_study(request, study_id)
    filters_form = DeviationFilterForm(request.GET, sites=_sites(request, study).order_by("site_number"))
    deviations = selectors.study_deviations(request.user, study, **filters_form.filters())
    context = {
        "study": study,
        "filters_form": filters_form,
        "page": paginate(deviations, request),
        "may_record": can_record_deviations_in_study(request.user, study.pk),
        "may_review": can_review_deviations(request.user, study.pk),
        "nav": "portfolio",
    }
    template = (
        "visits/partials/deviation_table.html" if wants_partial(request) else "visits/deviation_list.html"
    )
    return TemplateResponse(request, template, context)


@login_required
def deviation_create(request, study_id):
    study = _visible_study(request, study_id)
    require(can_record_deviations_in_study(request.user, study.pk), services.ONLY_DEVIATION_RECORDERS)
    form = _deviation_form(request, study, post_data(request))
    return form_page(
        request,
        form,
        lambda f: services.create_deviation(study=study, by=request.user, **f.changed_values()),
        title=gettext("New protocol deviation in %(code)s") % {"code": study.code},
        cancel_url=_deviation_list_url(study),
        done=lambda d: _deviation_list_url(study),
        saved=gettext("Deviation recorded."),
        study=study,
    )


def _visible_deviation(request, deviation_id):
    return get_object_or_404(selectors.deviations_for(request.user), pk=deviation_id)


@login_required
def deviation_edit(request, deviation_id):
    deviation = _visible_deviation(request, deviation_id)
    study = deviation.study
    require(can_record_deviations(request.user, deviation.study_site), services.ONLY_DEVIATION_RECORDERS)
    form = _deviation_form(request, study, post_data(request), instance=deviation)
    return form_page(
        request,
        form,
        lambda f: services.update_deviation(
            deviation=deviation,
            changes=f.changed_values(),
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
        ),
        title=gettext("Edit %(deviation)s") % {"deviation": deviation},
        cancel_url=_deviation_list_url(study),
        done=lambda d: _deviation_list_url(study),
        saved=gettext("Deviation saved."),
        study=study,
    )


@login_required
def deviation_review(request, deviation_id):
    deviation = _visible_deviation(request, deviation_id)
    study = deviation.study
    require(can_review_deviations(request.user, study.pk), services.ONLY_REVIEWERS)
    form = DeviationReviewForm(post_data(request), record_version=deviation.version)
    return form_page(
        request,
        form,
        lambda f: services.review_deviation(
            deviation=deviation,
            important=f.cleaned_data["important"],
            reason=f.cleaned_data["reason"],
            expected_version=f.expected_version,
            by=request.user,
        ),
        title=gettext("Review %(deviation)s: %(description)s")
        % {"deviation": deviation, "description": deviation.description[:60]},
        cancel_url=_deviation_list_url(study),
        done=lambda d: _deviation_list_url(study),
        saved=gettext("Deviation reviewed."),
        study=study,
        current_status=deviation.get_review_status_display(),
    )


# The study page's Deviations tab ---------------------------------------------------------------------


def deviations_tab(request, study) -> dict:
    """The Deviations tab of the study page: deviations per participant-month by site."""
    return {
        "trend": selectors.deviation_trend(request.user, study),
        "may_record_deviation": can_record_deviations_in_study(request.user, study.pk),
        "days_per_month": rules.DAYS_PER_MONTH,
    }
