"""The private calendar feed of a person's reporting deadlines and milestones, and its settings page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.interop import ical
from trialdesk.safety import selectors, services
from trialdesk.safety.rules import windows
from trialdesk.safety.views.adverse_events import _event_url
from trialdesk.studies.models import Milestone

# Calendar feed -------------------------------------------------------------------------------------------


@login_required
def calendar_settings(request):
    """Create (or replace) and revoke the person's private calendar feed URL."""
    new_url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_feeds(user=request.user)
            messages.success(request, gettext("Calendar feed revoked: its URL no longer works."))
            return redirect("calendar_settings")
        _, token = services.create_calendar_feed(user=request.user)
        new_url = request.build_absolute_uri(reverse("calendar_feed", kwargs={"token": token}))
        messages.success(
            request, gettext("New calendar feed created. Copy its URL now: it is shown only once.")
        )
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
        alarm_before=windows.NEXT_24_HOURS,
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
