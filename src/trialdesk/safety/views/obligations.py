"""Pages of reporting obligations: marking a report submitted, and the obligations board."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core import extensions
from trialdesk.core.forms import submit
from trialdesk.core.permissions import require
from trialdesk.core.views import post_data
from trialdesk.integrations.registry import selectors as registry_selectors
from trialdesk.safety import selectors, services
from trialdesk.safety.forms import SubmissionForm
from trialdesk.safety.permissions import can_submit_obligation
from trialdesk.safety.rules import reportable
from trialdesk.safety.views.adverse_events import _event_url


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
            messages.success(
                request, gettext("Report to %(recipient)s marked submitted.") % {"recipient": done.recipient}
            )
            target = _event_url(done.adverse_event) if done.adverse_event_id else reverse("obligations_board")
            return redirect(target)
    context = {"form": form, "obligation": obligation, "study": obligation.study, "nav": "portfolio"}
    return TemplateResponse(request, "safety/obligation_submit.html", context)


# Obligations board ---------------------------------------------------------------------------------------

BOARD_ROWS = 200


@login_required
@require_safe
def obligations_board(request):
    """What is overdue, due in the next 24 hours and due later this week (`windows.Window`) across the
    user's portfolio, by study and recipient; and the registry deadlines (ClinicalTrials.gov, EU CTIS)
    of the same studies."""
    board = selectors.obligations_board(request.user, limit=BOARD_ROWS)
    # Worked out here rather than with template tags per row: the board may show a few hundred rows.
    submit_url = reverse("obligation_submit", kwargs={"obligation_id": 0}).replace("/0/", "/{}/")
    event_url = reverse("adverse_event_detail", kwargs={"adverse_event_id": 0}).replace("/0/", "/{}/")
    for section in (board.overdue, board.due_24h, board.due_week):
        for rows in section.values():
            for row in rows:
                row.local_due = f"{row.due_at.astimezone(reportable.zone_of(row.time_zone)):%Y-%m-%d %H:%M}"
                row.event_url = event_url.format(row.adverse_event_id) if row.adverse_event_id else ""
                may_submit = can_submit_obligation(
                    request.user,
                    study_id=row.study_id,
                    study_site_id=row.study_site_id,
                    party=row.reporting_party,
                )
                row.submit_url = submit_url.format(row.pk) if may_submit else ""
    deadlines = [d for d in registry_selectors.registry_deadlines(request.user) if d["status"] != "done"]
    # Obligations other apps keep (incident notifications), each app's own block of the board.
    panels = [
        (p.template, c) for p in extensions.obligations_board_panels if (c := p.context(request)) is not None
    ]
    context = {
        "board": board,
        "coverage_warnings": selectors.coverage_warnings(request.user),
        "missed": selectors.missed_recently(request.user, board.now),
        "missed_days": selectors.MISSED_DAYS,
        "sections": (
            ("overdue", "Overdue", board.overdue),
            ("due-24h", "Due in the next 24 hours", board.due_24h),
            ("due-week", "Due later this week (after the next 24 hours, within 7 days)", board.due_week),
        ),
        "registry_deadlines": deadlines,
        "panels": panels,
        "nav": "obligations",
    }
    return TemplateResponse(request, "safety/board.html", context)
