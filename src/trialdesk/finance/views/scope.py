"""What every finance page needs first: the record if the reader may see it (404 otherwise), then whether
they may do what the page does (403)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from trialdesk.finance.permissions import can_read_finance, can_read_totals
from trialdesk.studies.pages import visible_study

NO_FINANCE_ROLE = "Finance records of this study are shown to its CRM, finance staff and auditors."


def decided_message(number: str, status: str) -> str:
    """The page message once an invoice is decided: "Invoice 7 approved." (or disputed)."""
    if status == "approved":
        return _("Invoice %(number)s approved.") % {"number": number}
    if status == "disputed":
        return _("Invoice %(number)s disputed.") % {"number": number}
    return f"Invoice {number} {status}."


def finance_study(request, study_id, *, totals: bool = False):
    """The study (404 outside the reader's scope), then 403 unless they read its finance records."""
    study = visible_study(request, study_id)
    allowed = can_read_totals if totals else can_read_finance
    if not allowed(request.user, study.pk):
        raise PermissionDenied(NO_FINANCE_ROLE)
    return study


def visible(request, model, pk, *related):
    return get_object_or_404(model.objects.visible_to(request.user).select_related(*related), pk=pk)


def post_only(request, target: str):
    """For a page that only acts on POST: a GET (after the look-up answered 404 where it must) goes back."""
    return None if request.method == "POST" else redirect(target)


def attachment(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
