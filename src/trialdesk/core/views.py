"""Pages for signing in and out and the user's own page (roles, API tokens, password)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, resolve_url
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trialdesk.core import services
from trialdesk.core.forms import (
    ApiTokenForm,
    PasswordChangeForm,
    PreferencesForm,
    SignInForm,
    add_service_errors,
    submit,
)


def wants_partial(request) -> bool:
    """True for an htmx request that swaps part of a page (not a boosted or history-restore one)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def post_data(request):
    """The submitted fields on POST, None on GET (so a GET shows an unbound form without errors)."""
    return request.POST if request.method == "POST" else None


def form_page(request, form, save, *, title: str, cancel_url: str, done, saved: str, **context):
    """Show `form`; on a valid POST call `save(form)` (a service) and redirect to `done(record)`."""
    if request.method == "POST":
        record = submit(form, save)
        if record is not None:
            messages.success(request, saved)
            return redirect(done(record))
    context = {"form": form, "title": title, "cancel_url": cancel_url, **context}
    return TemplateResponse(request, "form_page.html", context)


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def sign_in_page(request):
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = SignInForm(request.POST or None)
    problem = ""
    if request.method == "POST" and form.is_valid():
        result = services.sign_in(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if result.user is not None:
            login(request, result.user)
            return redirect(_safe_next(request))
        if result.client_locked_out:
            return client_locked_out(request)
        problem = result.problem
    return _sign_in_response(request, form, problem)


def _sign_in_response(request, form, problem: str, status: int = 200):
    context = {
        "form": form,
        "problem": problem,
        "next": request.POST.get("next") or request.GET.get("next"),
        "max_attempts": settings.LOGIN_MAX_FAILED_ATTEMPTS,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    return TemplateResponse(request, "core/sign_in.html", context, status=status).render()


def client_locked_out(request, original_response=None, credentials=None):
    """The sign-in page, 429, for a client with too many recent failed sign-ins (AXES_LOCKOUT_CALLABLE)."""
    form = SignInForm(initial={"username": request.POST.get("username", "")})
    return _sign_in_response(request, form, services.client_locked_out_problem(), status=429)


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, _("You are signed out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def my_page(request):
    """The user's role assignments and personal API tokens; a new token is shown here once."""
    form = ApiTokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = services.create_api_token(
                user=request.user, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Token '%(name)s' created. Copy it now: it will not be shown again.")
                % {"name": token.name},
            )
            form = ApiTokenForm()
    return _my_page(request, token_form=form, new_token=new_token)


@login_required
def change_preferences(request):
    """The person's language and time zone; the page answers in the new language at once."""
    if request.method != "POST":
        return redirect("me")
    form = PreferencesForm(request.POST)
    saved = submit(
        form,
        lambda f: services.set_preferences(
            user=request.user, language=f.cleaned_data["language"], time_zone=f.cleaned_data["time_zone"]
        ),
    )
    if saved is None:
        return _my_page(request, preferences_form=form)
    translation.activate(saved.language or translation.get_language_from_request(request))
    messages.success(request, _("Your preferences are saved."))
    return redirect("me")


def _my_page(request, *, token_form=None, password_form=None, new_token="", preferences_form=None):
    assignments = request.user.role_assignments.select_related("study", "study_site__study").order_by(
        "role", "study__code", "study_site__site_number"
    )
    context = {
        "form": token_form or ApiTokenForm(),
        "password_form": password_form or PasswordChangeForm(),
        "preferences_form": preferences_form
        or PreferencesForm(initial={"language": request.user.language, "time_zone": request.user.time_zone}),
        "new_token": new_token,
        "assignments": assignments,
        "tokens": request.user.api_tokens.all(),
        "nav": "me",
    }
    return TemplateResponse(request, "core/me.html", context)


@login_required
def change_password(request):
    """The user changes their own password; they stay signed in on this browser."""
    if request.method != "POST":
        return redirect("me")
    form = PasswordChangeForm(request.POST)
    changed = submit(
        form,
        lambda f: services.change_own_password(
            user=request.user,
            current_password=f.cleaned_data["current_password"],
            new_password=f.cleaned_data["new_password"],
        ),
    )
    if changed is None:
        return _my_page(request, password_form=form)
    update_session_auth_hash(request, changed)
    messages.success(request, _("Your password is changed."))
    return redirect("me")


@login_required
def revoke_token(request, token_id):
    # Someone else's token is 404 whatever the method, so look it up before checking the method.
    token = get_object_or_404(request.user.api_tokens, pk=token_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.revoke_api_token(token=token, by=request.user)
    messages.success(request, _("Token '%(name)s' revoked.") % {"name": token.name})
    return redirect("me")
