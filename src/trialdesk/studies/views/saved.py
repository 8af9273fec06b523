"""Saved portfolio views: save the portfolio as it is filtered and sorted under a name, delete one's own.
POST only; each answers with the portfolio (the saved view applied, or as it was) and a message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from trialdesk.studies import saved_views


def _portfolio(query: str = ""):
    return redirect(f"{reverse('portfolio')}?{query}" if query else reverse("portfolio"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portfolio_view_save(request):
    """POST name, shared and the portfolio's query string (`query`): saves the view and shows it."""
    if request.method != "POST":
        return _portfolio()
    query = request.POST.get("query", "")
    try:
        view = saved_views.save_view(
            by=request.user,
            name=request.POST.get("name", ""),
            query=query,
            shared=request.POST.get("shared") in ("on", "true", "1"),
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return _portfolio(saved_views.kept_query(query))
    if view.shared:
        saved = gettext("Saved the shared view “%(name)s”.")
    else:
        saved = gettext("Saved the view “%(name)s”.")
    messages.success(request, saved % {"name": view.name})
    return _portfolio(view.query)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def portfolio_view_delete(request, portfolio_view_id: int):
    """POST deletes one of the person's own views; someone else's (shared or not) is 404."""
    view = get_object_or_404(
        saved_views.views_for(request.user).filter(owner=request.user), pk=portfolio_view_id
    )
    if request.method == "POST":
        saved_views.delete_view(by=request.user, view=view)
        messages.success(request, gettext("Deleted the view “%(name)s”.") % {"name": view.name})
    return _portfolio()
