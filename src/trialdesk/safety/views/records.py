"""Pages of an obligation's records: its deliveries to each site or committee with their acknowledgement,
the files kept with it (the report as submitted, the acknowledgement), and the CIOMS I form of an event."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from trialdesk.core.permissions import require
from trialdesk.safety import cioms, deliveries, selectors
from trialdesk.safety.models import ObligationAttachment, ObligationDelivery
from trialdesk.safety.permissions import can_submit_obligation


def _moment(text: str, zone) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=zone)
    except ValueError:
        raise ValidationError({"sent_at": gettext("Give a date and time, e.g. 2025-03-12T10:00.")}) from None


@login_required
def obligation_records(request, obligation_id):
    """Record each delivery (sent, acknowledged) and attach the submitted report or the acknowledgement."""
    obligation = get_object_or_404(selectors.obligations_for(request.user), pk=obligation_id)
    may_record = can_submit_obligation(
        request.user,
        study_id=obligation.study_id,
        study_site_id=obligation.study_site_id,
        party=obligation.reporting_party,
    )
    errors = {}
    if request.method == "POST":
        require(may_record, deliveries.ONLY_SUBMITTERS)
        try:
            if "file" in request.FILES:
                upload = request.FILES["file"]
                deliveries.attach(
                    obligation=obligation,
                    kind=request.POST.get("kind", "report"),
                    file_name=upload.name,
                    content=upload.read(),
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                )
            else:
                delivery = get_object_or_404(
                    ObligationDelivery.objects.filter(obligation=obligation), pk=request.POST.get("delivery")
                )
                deliveries.record_delivery(
                    delivery=delivery,
                    by=request.user,
                    sent_at=_moment(request.POST.get("sent_at", ""), obligation.zone),
                    acknowledged_at=_moment(request.POST.get("acknowledged_at", ""), obligation.zone),
                    acknowledgement_reference=request.POST.get("acknowledgement_reference", ""),
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, gettext("Recorded."))
            return redirect(request.path)
        except ValidationError as error:
            errors = error.message_dict
    context = {
        "obligation": obligation,
        "study": obligation.study,
        "deliveries": obligation.deliveries.select_related("study_site"),
        "attachments": obligation.attachments.all(),
        "may_record": may_record,
        "errors": errors,
        "nav": "obligations",
    }
    return TemplateResponse(request, "safety/obligation_records.html", context, status=422 if errors else 200)


@login_required
@require_safe
def obligation_attachment(request, attachment_id):
    """The attached file, served only when it still matches its checksum (else 404 saying why)."""
    attachment = get_object_or_404(
        ObligationAttachment.objects.visible_to(request.user).select_related("obligation"), pk=attachment_id
    )
    try:
        content = deliveries.verified_content(attachment)
    except ValidationError as error:
        raise Http404(error.messages[0]) from error
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="{attachment.file_name}"'
    return response


@login_required
@require_safe
def cioms_pdf(request, adverse_event_id):
    """The CIOMS I form of the event's latest version, for those who may see the event (else 404)."""
    event = get_object_or_404(
        selectors.adverse_events_for(request.user).select_related("study_site__institution"),
        pk=adverse_event_id,
    )
    version = selectors.latest_version(event)
    obligations = selectors.obligations_for(request.user).filter(adverse_event=event, status="open")
    content = cioms.cioms_form(event, version, obligations=list(obligations))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="CIOMS-{event.study.code}-{event.number}.pdf"'
    return response
