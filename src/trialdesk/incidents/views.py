"""Pages of incidents: the study's list (sortable, paged), recording and changing an incident, its page
with each notification due in the reporting party's zone, and marking a notification made."""

from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import can_see_subject_level, require
from trialdesk.core.sorting import sort_columns
from trialdesk.core.views import form_page, post_data, wants_partial
from trialdesk.incidents import rules, selectors, services
from trialdesk.incidents.forms import IncidentFilterForm, IncidentForm, NotificationMadeForm, residents_text
from trialdesk.incidents.permissions import ONLY_MANAGERS, can_manage_incidents
from trialdesk.incidents.work import due_label
from trialdesk.safety.models import StudySafetySettings
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import visible_study

COLUMNS = (
    ("number", "Number"),
    ("aware_at", "Aware at"),
    ("kind", "Kind"),
    ("title", "Title"),
    ("affected", "Affected"),
    ("open", "Open notifications"),
)


def _incident_url(incident) -> str:
    return reverse("incident_detail", kwargs={"incident_id": incident.pk})


def _visible_incident(request, incident_id):
    return get_object_or_404(selectors.incidents_for(request.user), pk=incident_id)


@login_required
@require_safe
def incident_list(request, study_id):
    """The study's incidents, filtered by kind, sorted by any column, paged; subject-blind readers are
    told the list is hidden rather than shown an empty one."""
    study = visible_study(request, study_id)
    filters = IncidentFilterForm(request.GET)
    kind = filters.cleaned_data.get("kind", "") if filters.is_valid() else ""
    sort = request.GET.get("sort", "-aware_at")
    if sort.removeprefix("-") not in selectors.SORTS:
        sort = "-aware_at"
    context = {
        "study": study,
        "hidden": not can_see_subject_level(request.user, study.pk),
        "filters_form": filters,
        "page": paginate(selectors.incident_list(request.user, study, kind=kind, sort=sort), request),
        "columns": sort_columns(COLUMNS, sort),
        "may_record": can_manage_incidents(request.user, study.pk),
        "nav": "portfolio",
    }
    template = "incidents/partials/incident_table.html" if wants_partial(request) else "incidents/list.html"
    return TemplateResponse(request, template, context)


def _sites(request, study):
    return StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")


def _sponsor_zone(study) -> str:
    found = StudySafetySettings.objects.filter(study=study).first()
    return found.effective_time_zone if found else ""


@login_required
def incident_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_manage_incidents(request.user, study.pk), ONLY_MANAGERS)
    initial = {"sponsor_timezone": _sponsor_zone(study), "affected_individuals": 0}
    form = IncidentForm(post_data(request), sites=_sites(request, study), initial=initial)
    return form_page(
        request,
        form,
        lambda f: services.record_incident(study=study, by=request.user, **f.values()),
        title=_("Record an incident · %(code)s") % {"code": study.code},
        cancel_url=reverse("incident_list", kwargs={"study_id": study.pk}),
        done=_incident_url,
        saved=_("Incident recorded; its notifications and their deadlines are below."),
        study=study,
        time_zones=sorted(available_timezones()),
    )


@login_required
def incident_edit(request, incident_id):
    incident = _visible_incident(request, incident_id)
    require(can_manage_incidents(request.user, incident.study_id), ONLY_MANAGERS)
    local = incident.aware_at.astimezone(incident.zone).replace(tzinfo=None)
    initial = {
        "study_site": str(incident.study_site_id or ""),
        "kind": incident.kind,
        "title": incident.title,
        "description": incident.description,
        "aware_at": local,
        "sponsor_timezone": incident.sponsor_timezone,
        "jurisdictions": incident.jurisdictions,
        "affected_individuals": incident.affected_individuals,
        "risk_to_individuals": incident.risk_to_individuals,
        "hipaa_role": incident.hipaa_role,
        "residents_by_state": residents_text(incident.residents_by_state),
        "measures": incident.measures,
    }
    form = IncidentForm(
        post_data(request),
        sites=_sites(request, incident.study),
        initial=initial,
        edit_version=incident.version,
    )
    return form_page(
        request,
        form,
        lambda f: services.update_incident(
            incident=incident,
            by=request.user,
            changes=f.values(),
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data["version"],
        ),
        title=_("Change %(number)s · %(code)s") % {"number": incident.number, "code": incident.study.code},
        cancel_url=_incident_url(incident),
        done=_incident_url,
        saved=_("Incident changed; its notifications follow the new facts."),
        study=incident.study,
        time_zones=sorted(available_timezones()),
    )


@login_required
@require_safe
def incident_detail(request, incident_id):
    """The incident and each notification it requires: recipient, rule, clock, due time in the reporting
    party's zone (labelled), status and evidence."""
    incident = _visible_incident(request, incident_id)
    now = timezone.now()
    obligations = list(selectors.obligations_for(request.user, incident))
    for obligation in obligations:
        obligation.local_due = due_label(obligation)
        obligation.standing = obligation.current_status(now)
    context = {
        "incident": incident,
        "study": incident.study,
        "obligations": obligations,
        "may_manage": can_manage_incidents(request.user, incident.study_id),
        "warnings": rules.warnings_for(incident.facts()),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "incidents/detail.html", context)


@login_required
def incident_obligation_met(request, incident_obligation_id):
    """Mark a notification made: when (in the reporting party's zone) and the recipient's reference."""
    obligation = get_object_or_404(selectors.obligations_for(request.user), pk=incident_obligation_id)
    require(can_manage_incidents(request.user, obligation.study_id), ONLY_MANAGERS)
    zone = obligation.zone
    now_local = timezone.now().astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    form = NotificationMadeForm(
        post_data(request), initial={"submitted_at": now_local, "version": obligation.version}
    )

    def save(f):
        return services.mark_met(
            obligation=obligation,
            by=request.user,
            submitted_at=f.cleaned_data["submitted_at"].replace(tzinfo=None).replace(tzinfo=zone),
            reference_number=f.cleaned_data["reference_number"],
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data.get("version"),
        )

    if request.method == "POST":
        done = submit(form, save)
        if done is not None:
            messages.success(
                request, _("Notification to %(recipient)s recorded as made.") % {"recipient": done.recipient}
            )
            return redirect(_incident_url(done.incident))
    obligation.local_due = due_label(obligation)
    context = {
        "form": form,
        "obligation": obligation,
        "incident": obligation.incident,
        "study": obligation.study,
        "nav": "portfolio",
    }
    return TemplateResponse(request, "incidents/obligation_met.html", context)
