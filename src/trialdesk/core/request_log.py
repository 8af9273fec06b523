"""Request logging: one log line for a refused or missing request (`GET /studies/7/edit/ 403 Forbidden`,
never a traceback), an id per request carried by every log line and by the answer, and JSON log lines.

Django logs every 4xx and 5xx answer on the `django.request` logger, and a PermissionDenied (or a bad
request) with its traceback. A 4xx is the client's doing and its answer says why, so the traceback only
buries the server errors that need one; settings.LOGGING puts this filter on that logger.
"""

import contextvars
import datetime as dt
import json
import logging
import re
import uuid
from http import HTTPStatus

# The id of the request being answered ("-" outside one: commands, start-up).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# An id a proxy or client sent is kept when it is short and plain (it is written into every log line).
ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _escaped(text: str) -> str:
    # As Django's own log_response does: a path cannot start a new log line.
    return text.encode("unicode_escape").decode("ascii")


class ClientErrorsOnOneLine(logging.Filter):
    """Rewrites a 4xx record of `django.request` to method, path and status, without the exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        request = getattr(record, "request", None)
        if request is None or status is None or not 400 <= status < 500:
            return True
        record.msg = "%s %s %s %s"
        record.args = (request.method, _escaped(request.path), status, HTTPStatus(status).phrase)
        record.exc_info = record.exc_text = record.stack_info = None
        return True


class RequestIdMiddleware:
    """Gives each request an id: the X-Request-ID a proxy in front sent (when short and plain), else a
    new one; log lines written while answering carry it, and so does the answer's X-Request-ID header,
    so a user's report of a failure can be matched to the server's log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if ACCEPTED_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response["X-Request-ID"] = request_id
        return response


class WithRequestId(logging.Filter):
    """Adds `request_id` to every record (the request being answered, "-" outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx or 5xx answer after the middleware has returned, with the request attached.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and for a
    request's record its method, path and status; `exception` holds a traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or REQUEST_ID.get(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "method"):
            entry["method"], entry["path"] = request.method, request.path
        if getattr(record, "status_code", None) is not None:
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
