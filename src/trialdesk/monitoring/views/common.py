"""What the monitoring pages share: looking records up within scope, who may read the sponsor's side,
and answering a POST-only address."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy

from trialdesk.core.forms import add_service_errors
from trialdesk.core.records import StaleVersion
from trialdesk.monitoring import selectors
from trialdesk.monitoring.permissions import may_read_sponsor_side
from trialdesk.sites.models import StudySite
from trialdesk.studies.pages import tab_url, visible_study

SPONSOR_SIDE = gettext_lazy(
    "The monitoring plan, reports and quality records are the study team's and its monitors'."
)

__all__ = ["may_read_sponsor_side", "tab_url", "visible_study"]


def require_sponsor_side(user, study_id: int) -> None:
    if not may_read_sponsor_side(user, study_id):
        raise PermissionDenied(SPONSOR_SIDE)


def visible_site(request, study_site_id) -> StudySite:
    sites = StudySite.objects.visible_to(request.user).select_related("study", "institution")
    return get_object_or_404(sites, pk=study_site_id)


def visible_visit(request, monitoring_visit_id):
    return get_object_or_404(selectors.visits_for(request.user), pk=monitoring_visit_id)


def visible_report(request, visit_report_id):
    return get_object_or_404(selectors.reports_for(request.user), pk=visit_report_id)


def not_post(request):
    """405 for anything but POST (asked after the record was found, so out of scope stays 404)."""
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def attempt(request, write, *, done: str, saved: str):
    """Call a service for a POST-only action; its refusal becomes a message on the page it came from."""
    try:
        write()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    except StaleVersion as error:
        messages.error(request, str(error))
    else:
        messages.success(request, saved)
    return redirect(done)


def form_errors(form, error) -> None:
    if isinstance(error, StaleVersion):
        form.add_error(None, str(error))
    else:
        add_service_errors(form, error)


def url(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)
