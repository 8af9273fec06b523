"""The JSON API: one NinjaAPI under /api/v1/ gathering each app's router, its auth and its error bodies."""

import importlib

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from trialdesk.core import extensions
from trialdesk.core import services as core_services
from trialdesk.core.apiutils import UploadTooLarge, error_body, request_errors, summary, validation_errors
from trialdesk.core.records import StaleVersion


class BearerToken(HttpBearer):
    """A personal API token sent as `Authorization: Bearer td_…`."""

    def authenticate(self, request, token):
        user = core_services.user_for_token(token)
        if user is None:
            # A credential was offered and is wrong: say so, rather than fall back to the session.
            raise AuthenticationError(message="This API token is not valid or has been revoked.")
        return user


class BrowserSession(SessionAuth):
    """The signed-in browser session; unsafe methods must carry the CSRF token."""

    def _get_key(self, request):
        # Only a signed-in session needs the CSRF check; without one the answer is 401, not 403.
        if not request.user.is_authenticated:
            return None
        if self.csrf and check_csrf(request):  # passes safe methods (GET, HEAD) through
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header with the csrftoken cookie.")
        return request.COOKIES.get(self.param_name)


class TrialdeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids (`list_studies`) read better in generated clients than module paths.
        return operation.view_func.__name__


api = TrialdeskAPI(
    title="Trialdesk API",
    version="1",
    description=(
        "Studies, sites and their setup, scoped to what the signed-in user may see. "
        "Authenticate with the browser session (send X-CSRFToken on writes) or a personal API token "
        "(`Authorization: Bearer td_…`). Updates carry the record's `version` (or `If-Match`); "
        "a stale version answers 409 and changes nothing."
    ),
    urls_namespace="api",
    auth=[BearerToken(), BrowserSession()],
    # Rendered from ninja's bundled static files ("ninja" is an installed app): no CDN, no validator badge.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
)

# Each app registers its router (core.extensions.routes); they are added in layer order.
for routes in extensions.routes:
    if routes.api:
        api.add_router("", importlib.import_module(routes.api).router)


def _answer(request, status: int, detail: str, errors: list[dict] | None = None):
    return api.create_response(request, error_body(detail, errors), status=status)


@api.exception_handler(RequestValidationError)
def on_request_invalid(request, exc):
    errors = request_errors(exc.errors)
    return _answer(request, 422, summary(errors), errors)


@api.exception_handler(ValidationError)
def on_invalid(request, exc):
    errors = validation_errors(exc)
    return _answer(request, 422, summary(errors), errors)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    detail = exc.message
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = "The request body is not valid JSON."
    elif exc.status_code == 401 and detail == "Unauthorized":
        detail = "Sign in, or send a personal API token as `Authorization: Bearer td_…`."
    return _answer(request, exc.status_code, detail)


@api.exception_handler(PermissionDenied)
def on_forbidden(request, exc):
    return _answer(request, 403, str(exc) or "You may not change this record.")


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _answer(request, 404, "Not found.")


@api.exception_handler(ObjectDoesNotExist)
def on_object_missing(request, exc):
    return _answer(request, 404, "Not found.")


@api.exception_handler(UploadTooLarge)
def on_upload_too_large(request, exc):
    return _answer(request, 413, str(exc), [{"field": exc.field, "message": str(exc)}])


@api.exception_handler(StaleVersion)
def on_stale(request, exc):
    errors = [{"field": "version", "message": str(exc)}]
    return _answer(request, 409, str(exc), errors)


@api.exception_handler(IntegrityError)
def on_conflict(request, exc):
    # Validation runs first, so this is a race with another request that just made the same record.
    return _answer(request, 409, "This conflicts with a record saved a moment ago; reload and try again.")
