"""Ends a signed-in session that has been idle longer than the configured timeout; security headers."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers

_LAST_SEEN = "trialdesk_last_seen"
# Refreshing the mark on every request would save the session (a database write) on every request;
# once a minute keeps the timeout exact to within a minute at a fraction of the writes.
_REFRESH_SECONDS = 60


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last_seen = request.session.get(_LAST_SEEN)
            limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
            if last_seen is not None and now - last_seen > limit:
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse(
                        {"detail": "Your session timed out; sign in again.", "errors": []}, status=401
                    )
                messages.info(
                    request, translation.gettext("You were signed out after a period of inactivity.")
                )
                login_url = f"{resolve_url(settings.LOGIN_URL)}?next={request.path}"
                if request.headers.get("HX-Request"):
                    # An htmx swap would put the sign-in page inside a tab; ask for a full navigation.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login_url
                    return response
                return redirect(login_url)
            if last_seen is None or now - last_seen >= _REFRESH_SECONDS:
                request.session[_LAST_SEEN] = now
        return self.get_response(request)


class PersonLanguageMiddleware:
    """A signed-in person's chosen language (their preference on the Me page) beats the browser's, which
    django.middleware.locale.LocaleMiddleware has activated; with no choice the browser's stays."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy on every page, and `Cache-Control: no-store` on whatever a signed-in
    person is shown and on every API answer, so that no browser or proxy cache keeps trial data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not (settings.DEBUG and response.status_code >= 400):
            # (Django's DEBUG error pages are made of inline script and style.)
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
