"""Pages of notifications: the inbox (read and unread, mark one or all), the e-mail choices, and the home
page each person lands on after signing in (my work or the portfolio)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trialdesk.core.pagination import paginate
from trialdesk.core.views import post_data, wants_partial
from trialdesk.notifications import selectors, services
from trialdesk.notifications.forms import InboxFilterForm, PreferencesForm


@login_required
@require_safe
def home(request):
    """Where signing in leads: the person's work, or the portfolio for those who prefer it."""
    return redirect(selectors.home_of(request.user))


@login_required
@require_safe
def inbox(request):
    filters_form = InboxFilterForm(request.GET)
    found = selectors.inbox_for(request.user, **filters_form.filters())
    context = {
        "filters_form": filters_form,
        "page": paginate(found, request),
        "unread": selectors.unread_count(request.user),
        "nav": "notifications",
    }
    template = "notifications/partials/list.html" if wants_partial(request) else "notifications/inbox.html"
    return TemplateResponse(request, template, context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mark_read(request, notification_id: int):
    """POST marks one of the person's notifications read (or unread again with `unread`); someone
    else's is 404. GET has nothing to show but the inbox."""
    notification = get_object_or_404(selectors.inbox_for(request.user), pk=notification_id)
    if request.method == "POST":
        if request.POST.get("unread"):
            services.mark_unread(notification=notification, by=request.user)
        else:
            services.mark_read(notification=notification, by=request.user)
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request):
    marked = services.mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext("%(count)s notification marked read.", "%(count)s notifications marked read.", marked)
        % {"count": marked},
    )
    return redirect(_back(request))


def _back(request) -> str:
    """Back to the inbox, keeping its filter and page."""
    query = request.POST.get("back", "")
    return reverse("notification_inbox") + (query if query.startswith("?") else "")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    user = request.user
    form = PreferencesForm(
        post_data(request), deliveries=selectors.deliveries_for(user), home=selectors.home_of(user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_deliveries(person=user, deliveries=form.deliveries())
            services.set_home(person=user, home=form.cleaned_data["home"])
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("notification_preferences")
    context = {"form": form, "email": user.email, "nav": "notifications"}
    return TemplateResponse(request, "notifications/preferences.html", context)
