"""Pages of the safety app: record an AE and its follow-ups, its obligations, mark a report submitted, the
line listing, the obligations board, CTCAE suggestions, and the private calendar feed."""

from contextlib import contextmanager
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from trialdesk.core.forms import submit
from trialdesk.core.pagination import paginate
from trialdesk.core.permissions import require
from trialdesk.core.views import form_page, post_data
from trialdesk.integrations.registry import selectors as registry_selectors
from trialdesk.interop import ical
from trialdesk.safety import ctcae, rules, selectors, services
from trialdesk.safety.api import line_listing_response
from trialdesk.safety.forms import (
    AdverseEventFilterForm,
    AdverseEventForm,
    CommitteePolicyForm,
    ReferenceSafetyInformationForm,
    SafetySettingsForm,
    SubmissionForm,
    initial_from_version,
)
from trialdesk.safety.listing import COLUMNS, listing_rows
from trialdesk.safety.models import CommitteeReportingPolicy, ReferenceSafetyInformation
from trialdesk.safety.permissions import (
    can_oversee_safety,
    can_record_adverse_events,
    can_record_adverse_events_in_study,
    can_submit_obligation,
)
from trialdesk.sites.models import StudySite
from trialdesk.studies.models import Milestone
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


def _sponsor_zone(study):
    return selectors.settings_of(study).zone


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
    )

    def save(f):
        participant = f.cleaned_data["participant"]
        values = f.facts(site_zone=participant.study_site.zone, sponsor_zone=_sponsor_zone(study))
        with _causality_refusal_on_the_form():
            return services.record_adverse_event(participant=participant, by=request.user, **values)

    if request.method == "POST":
        event = submit(form, save)
        if event is not None:
            messages.success(request, f"{event.number} recorded; its reporting obligations are below.")
            return redirect(_event_url(event))
    context = {
        "form": form,
        "study": study,
        "title": f"Record an adverse event in {study.code}",
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/event_form.html", context)


@login_required
def adverse_event_follow_up(request, adverse_event_id):
    """Add follow-up information as a new version; the obligations are recalculated."""
    event = _visible_event(request, adverse_event_id)
    require(can_record_adverse_events(request.user, event.study_site), services.ONLY_RECORDERS)
    site_zone, sponsor_zone = event.study_site.zone, _sponsor_zone(event.study)
    latest = selectors.latest_version(event)
    form = AdverseEventForm(
        post_data(request),
        initial=initial_from_version(latest, site_zone=site_zone, sponsor_zone=sponsor_zone),
        references=ReferenceSafetyInformation.objects.filter(study=event.study),
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
                request, f"Version {version.number} of {event.number} recorded; clocks recalculated."
            )
            return redirect(_event_url(event))
    context = {
        "form": form,
        "study": event.study,
        "event": event,
        "title": f"Follow-up of {event.number} ({event.participant.number})",
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
        "nav": "portfolio",
    }
    return TemplateResponse(request, "safety/event_detail.html", context)


@login_required
def obligation_submit(request, obligation_id):
    """Mark a report submitted, with when and the recipient's reference number."""
    obligation = get_object_or_404(selectors.obligations_for(request.user), pk=obligation_id)
    require(
        can_submit_obligation(
            request.user,
            study_id=obligation.study_id,
            study_site_id=obligation.study_site_id,
            party=obligation.reporting_party,
        ),
        services.ONLY_SUBMITTERS,
    )
    zone = obligation.zone
    initial = {"submitted_at": timezone.now().astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)}
    form = SubmissionForm(post_data(request), initial={**initial, "version": obligation.version})

    def save(f):
        return services.mark_submitted(
            obligation=obligation,
            by=request.user,
            submitted_at=f.cleaned_data["submitted_at"].replace(tzinfo=zone),
            reference_number=f.cleaned_data["reference_number"],
            reason=f.cleaned_data["reason"],
            expected_version=f.cleaned_data.get("version"),
        )

    if request.method == "POST":
        done = submit(form, save)
        if done is not None:
            messages.success(request, f"Report to {done.recipient} marked submitted.")
            target = _event_url(done.adverse_event) if done.adverse_event_id else reverse("obligations_board")
            return redirect(target)
    context = {"form": form, "obligation": obligation, "study": obligation.study, "nav": "portfolio"}
    return TemplateResponse(request, "safety/obligation_submit.html", context)


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


# Obligations board ---------------------------------------------------------------------------------------

BOARD_ROWS = 200


@login_required
@require_safe
def obligations_board(request):
    """What is overdue, due in the next 24 hours and due later this week (`rules.Window`) across the
    user's portfolio, by study and recipient; and the registry deadlines (ClinicalTrials.gov, EU CTIS)
    of the same studies."""
    board = selectors.obligations_board(request.user, limit=BOARD_ROWS)
    # Worked out here rather than with template tags per row: the board may show a few hundred rows.
    submit_url = reverse("obligation_submit", kwargs={"obligation_id": 0}).replace("/0/", "/{}/")
    event_url = reverse("adverse_event_detail", kwargs={"adverse_event_id": 0}).replace("/0/", "/{}/")
    for section in (board.overdue, board.due_24h, board.due_week):
        for rows in section.values():
            for row in rows:
                row.local_due = f"{row.due_at.astimezone(rules.zone_of(row.time_zone)):%Y-%m-%d %H:%M}"
                row.event_url = event_url.format(row.adverse_event_id) if row.adverse_event_id else ""
                may_submit = can_submit_obligation(
                    request.user,
                    study_id=row.study_id,
                    study_site_id=row.study_site_id,
                    party=row.reporting_party,
                )
                row.submit_url = submit_url.format(row.pk) if may_submit else ""
    deadlines = [d for d in registry_selectors.registry_deadlines(request.user) if d["status"] != "done"]
    context = {
        "board": board,
        "sections": (
            ("overdue", "Overdue", board.overdue),
            ("due-24h", "Due in the next 24 hours", board.due_24h),
            ("due-week", "Due later this week (after the next 24 hours, within 7 days)", board.due_week),
        ),
        "registry_deadlines": deadlines,
        "nav": "obligations",
    }
    return TemplateResponse(request, "safety/board.html", context)


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


# Calendar feed -------------------------------------------------------------------------------------------


@login_required
def calendar_settings(request):
    """Create (or replace) and revoke the person's private calendar feed URL."""
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_feeds(user=request.user)
            messages.success(request, "Calendar feed revoked: its URL no longer works.")
            return redirect("calendar_settings")
        _, token = services.create_calendar_feed(user=request.user)
        new_url = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": token}))
        messages.success(request, "New calendar feed created. Copy its URL now: it is shown only once.")
    feeds = request.user.calendar_feeds.filter(revoked_at__isnull=True)
    return TemplateResponse(
        request, "safety/calendar.html", {"feeds": feeds, "new_url": new_url, "nav": "me"}
    )


@require_safe
def calendar_feed(request, token):
    """The person's open reporting obligations and their studies' milestones as iCalendar (RFC 5545).

    The token in the URL is the credential (calendar programs cannot sign in); a revoked or unknown
    token answers 404, so the URL reveals nothing once revoked.
    """
    user = services.feed_owner(token)
    if user is None:
        raise Http404("No such calendar feed.")
    base = request.build_absolute_uri("/").rstrip("/")
    deadlines = [
        _obligation_deadline(o, base) for o in selectors.obligations_for(user).filter(status="open")[:2000]
    ]
    milestones = Milestone.objects.visible_to(user).select_related("study", "study_site")
    deadlines += [d for m in milestones[:2000] if (d := _milestone_deadline(m, base))]
    body = ical.emit_calendar(f"Trialdesk — {user.username}", deadlines, stamped_at=timezone.now())
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _obligation_deadline(obligation, base: str) -> ical.Deadline:
    event = obligation.adverse_event
    about = f" ({event.number})" if event else ""
    url = base + (_event_url(event) if event else reverse("obligations_board"))
    local_due = obligation.due_at.astimezone(obligation.zone)
    return ical.Deadline(
        uid=f"obligation-{obligation.pk}@trialdesk",
        summary=f"{obligation.study.code}: report to {obligation.recipient}{about}",
        due=local_due,
        description=f"{obligation.description}. {obligation.rule}. Due {local_due:%Y-%m-%d %H:%M %Z}.",
        url=url,
        categories=("Safety", obligation.jurisdiction),
        # The alarm rings as the obligation enters the board's "next 24 hours" window.
        alarm_before=rules.NEXT_24_HOURS,
    )


def _milestone_deadline(milestone, base: str) -> ical.Deadline | None:
    day = milestone.actual_on or milestone.forecast_on or milestone.baseline_on
    if day is None:
        return None
    where = f" site {milestone.study_site.site_number}" if milestone.study_site_id else ""
    state = "done" if milestone.actual_on else "forecast" if milestone.forecast_on else "baseline"
    return ical.Deadline(
        uid=f"milestone-{milestone.pk}@trialdesk",
        summary=f"{milestone.study.code}{where}: {milestone.label} ({state})",
        due=day,
        url=base + reverse("study_detail", kwargs={"study_id": milestone.study_id}),
        categories=("Milestone",),
    )


# Study safety settings -----------------------------------------------------------------------------------


def _safety_tab(study) -> str:
    return f"{reverse('study_detail', kwargs={'study_id': study.pk})}?tab=safety"


@login_required
def safety_settings_edit(request, study_id):
    """The study's sponsor time zone, product type, site → sponsor limit, jurisdictions and DSUR date."""
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    form = SafetySettingsForm(post_data(request), instance=selectors.settings_of(study))
    return form_page(
        request,
        form,
        lambda f: services.save_safety_settings(
            study=study,
            by=request.user,
            reason=f.reason_given(),
            expected_version=f.expected_version,
            **f.changed_values(),
        ),
        title=f"Safety settings of {study.code}",
        cancel_url=_safety_tab(study),
        done=lambda s: _safety_tab(study),
        saved="Safety settings saved; events recorded from now on use them.",
        study=study,
        time_zones=sorted(available_timezones()),
        nav="portfolio",
    )


@login_required
def committee_policy_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    sites = StudySite.objects.visible_to(request.user).filter(study=study).order_by("site_number")
    form = CommitteePolicyForm(
        post_data(request), sites=sites, instance=CommitteeReportingPolicy(study=study)
    )
    return form_page(
        request,
        form,
        lambda f: services.add_committee_policy(study=study, by=request.user, **f.changed_values()),
        title=f"New ethics committee / IRB reporting policy in {study.code}",
        cancel_url=_safety_tab(study),
        done=lambda p: _safety_tab(study),
        saved="Committee policy added; events recorded from now on report under it.",
        study=study,
        nav="portfolio",
    )


@login_required
def reference_safety_information_create(request, study_id):
    study = visible_study(request, study_id)
    require(can_oversee_safety(request.user, study.pk), services.ONLY_OVERSEERS)
    form = ReferenceSafetyInformationForm(
        post_data(request), instance=ReferenceSafetyInformation(study=study)
    )
    return form_page(
        request,
        form,
        lambda f: services.add_reference_safety_information(
            study=study, by=request.user, **f.changed_values()
        ),
        title=f"New reference safety information version in {study.code}",
        cancel_url=_safety_tab(study),
        done=lambda r: _safety_tab(study),
        saved="Reference safety information added.",
        study=study,
        nav="portfolio",
    )
