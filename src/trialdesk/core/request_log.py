"""One log line for a refused or missing request: `GET /studies/7/edit/ 403 Forbidden`, never a traceback.

Django logs every 4xx and 5xx answer on the `django.request` logger, and a PermissionDenied (or a bad
request) with its traceback. A 4xx is the client's doing and its answer says why, so the traceback only
buries the server errors that need one; settings.LOGGING puts this filter on that logger.
"""

import logging
from http import HTTPStatus


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
