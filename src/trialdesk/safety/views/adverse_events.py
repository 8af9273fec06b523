"""Pages of adverse events: record one and its follow-ups, its detail, the line listing, CTCAE help."""

from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data
from trialdesk.randomization.selectors import randomized_among
from trialdesk.safety import ctcae, selectors, services
from trialdesk.safety.api.line_listing import line_listing_response
from trialdesk.safety.forms import AdverseEventFilterForm, AdverseEventForm, initial_from_version
from trialdesk.safety.listing import COLUMNS, listing_rows
from trialdesk.safety.models import ProtocolReportingExemption, ReferenceSafetyInformation
from trialdesk.safety.permissions import (
    can_record_adverse_events,
    can_record_adverse_events_in_study,
    can_submit_obligation,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import visible_study
from trialdesk.subjects.models import Participant


def _visible_event(request, adverse_event_id):
    return get_object_or_404(
        selectors.adverse_events_for(request.user).select_related("study_site__institution"),
        pk=adverse_event_id,
    )


def _event_url(event) -> str:
    return reverse("adverse_event_detail", kwargs={"adverse_event_id": event.pk})


@contextmanager
def _causality_refusal_on_the_form():
    """A causality refused by the site's delegation log is shown on the causality field, not as a 403:
    the person may record the event, just not its causality."""
    try:
        yield
    except PermissionDenied as refusal:
        if str(refusal) != services.ONLY_DELEGATED:
            raise
        raise ValidationError({"causality": services.ONLY_DELEGATED}) from refusal


def _sponsor_zone(study, site_zone):
    """The zone the sponsor's times on a form are read in: the sponsor's, or (not set: the study warns) the
    site's, where the person filling the form usually is."""
    zone = selectors.settings_of(study).effective_time_zone
    return ZoneInfo(zone) if zone else site_zone


# Recording -----------------------------------------------------------------------------------------------


@login_required
def adverse_event_create(request, study_id):
    """Record an adverse event for a participant; its reporting obligations appear with it."""
    study = visible_study(request, study_id)
    require(can_record_adverse_events_in_study(request.user, study.pk), services.ONLY_RECORDERS)
    participants = (
        Participant.objects.visible_to(request.user).filter(study=study).select_related("study_site")
    )
    allowed = [p.pk for p in participants if can_record_adverse_events(request.user, p.study_site)]
    form = AdverseEventForm(
        post_data(request),
        participants=participants.filter(pk__in=allowed).order_by("number"),
        references=ReferenceSafetyInformation.objects.filter(study=study),
        exemptions=ProtocolReportingExemption.objects.filter(study=study),
    )

    def save(f):
        participant = f.cleaned_data["participant"]
        values = f.facts(
            site_zone=participant.study_site.zone,
            sponsor_zone=_sponsor_zone(study, participant.study_site.zone),
        )
        with _causality_refusal_on_the_form():
            return services.record_adverse_event(participant=participant, by=request.user, **values)

    if request.method == "POST":
        event = submit(form, save)
        if event is not None:
            messages.success(
                request,
                gettext("%(number)s recorded; its reporting obligations are below.")
                % {"number": event.number},
            )
            return redirect(_event_url(event))
    context = {
        "form": form,
        "study": study,
        "title": gettext("Record an adverse event in %(code)s") % {"code": study.code},
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/event_form.html", context)


@login_required
def adverse_event_follow_up(request, adverse_event_id):
    """Add follow-up information as a new version; the obligations are recalculated."""
    event = _visible_event(request, adverse_event_id)
    require(can_record_adverse_events(request.user, event.study_site), services.ONLY_RECORDERS)
    site_zone, sponsor_zone = event.study_site.zone, _sponsor_zone(event.study, event.study_site.zone)
    latest = selectors.latest_version(event)
    form = AdverseEventForm(
        post_data(request),
        initial=initial_from_version(latest, site_zone=site_zone, sponsor_zone=sponsor_zone),
        references=ReferenceSafetyInformation.objects.filter(study=event.study),
        exemptions=ProtocolReportingExemption.objects.filter(study=event.study),
        follow_up=True,
    )

    def save(f):
        with _causality_refusal_on_the_form():
            return services.add_follow_up(
                adverse_event=event,
                by=request.user,
                reason=f.cleaned_data["reason"],
                expected_version=event.version,
                **f.facts(site_zone=site_zone, sponsor_zone=sponsor_zone),
            )

    if request.method == "POST":
        version = submit(form, save)
        if version is not None:
            messages.success(
                request,
                gettext("Version %(version)s of %(number)s recorded; clocks recalculated.")
                % {"version": version.number, "number": event.number},
            )
            return redirect(_event_url(event))
    context = {
        "form": form,
        "study": event.study,
        "event": event,
        "title": gettext("Follow-up of %(number)s (%(participant)s)")
        % {"number": event.number, "participant": event.participant.number},
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/event_form.html", context)


@login_required
@require_safe
def adverse_event_detail(request, adverse_event_id):
    """An adverse event: every version (the initial report and its follow-ups) and its obligations."""
    event = _visible_event(request, adverse_event_id)
    now = timezone.now()
    obligations = (
        selectors.obligations_for(request.user).filter(adverse_event=event).select_related("submitted_by")
    )
    context = {
        "event": event,
        "study": event.study,
        "versions": selectors.versions_of(request.user, event),
        "obligations": [
            (
                o,
                o.standing(now),
                can_submit_obligation(
                    request.user, study_id=o.study_id, study_site_id=o.study_site_id, party=o.reporting_party
                ),
            )
            for o in obligations
        ],
        "may_record": can_record_adverse_events(request.user, event.study_site),
        # Unblinding is offered only for a participant who was randomized: otherwise there is no arm.
        "randomized": bool(randomized_among([event.participant_id])),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/event_detail.html", context)


# Line listing --------------------------------------------------------------------------------------------


@login_required
@require_safe
def line_listing(request, study_id):
    """The study's AE line listing with filters; `?format=csv` or `xlsx` downloads it."""
    study = visible_study(request, study_id)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    form = AdverseEventFilterForm(request.GET or None, sites=sites)
    events = selectors.filter_adverse_events(selectors.adverse_events_for(request.user, study), form.params())
    events = events.order_by("number")
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return line_listing_response(request.user, study, events, export)
    page = paginate(events, request)
    context = {
        "study": study,
        "form": form,
        "page": page,
        "columns": COLUMNS,
        "rows": listing_rows(request.user, events.filter(pk__in=[e.pk for e in page])),
        "query": request.GET.urlencode(),
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/line_listing.html", context)


# CTCAE suggestions ---------------------------------------------------------------------------------------


@login_required
@require_safe
def ctcae_suggestions(request):
    """htmx: the CTCAE terms matching what is typed, and the chosen grade's definition."""
    text = request.GET.get("ctcae_term", "")
    term = ctcae.lookup(text)
    grade = request.GET.get("grade", "")
    context = {
        "term": term,
        "grade": int(grade) if grade.isdigit() else None,
        "definition": term.grade_definition(int(grade)) if term and grade.isdigit() else "",
        "suggestions": [] if term else ctcae.search(text, limit=8),
        "text": text,
    }
    return TemplateResponse(request, "safety/partials/ctcae_help.html", context)
