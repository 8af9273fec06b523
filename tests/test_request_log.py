"""A refused (403) or missing (404) page or API call: one log line (method, path, status), no traceback."""

import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response


def django_request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.parametrize(
    "person, method, path, status",
    [
        ("auditor", "GET", "/studies/{study}/edit/", 403),  # a read-only role opens the edit page
        ("outsider", "GET", "/studies/{study}/", 404),  # a study outside the person's scope
        ("auditor", "PATCH", "/api/v1/studies/{study}", 403),
        ("outsider", "GET", "/api/v1/studies/{study}", 404),
    ],
)
def test_refused_or_missing_request_is_one_log_line_without_traceback(
    world, client_for, caplog, person, method, path, status
):
    path = path.format(study=world.study_a.pk)
    caplog.set_level(logging.WARNING)
    body = '{"reason": "Refused, so never recorded", "version": 1}' if method == "PATCH" else None
    response = client_for(getattr(world, person)).generic(method, path, body, content_type="application/json")

    assert response.status_code == status
    phrase = "Forbidden" if status == 403 else "Not Found"
    assert [record.getMessage() for record in django_request_records(caplog)] == [
        f"{method} {path} {status} {phrase}"
    ]
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text and len(caplog.text.strip().splitlines()) == 1


def test_logged_path_cannot_start_a_new_line(caplog):
    request = RequestFactory().get("/studies/1/")
    request.path = "/studies/1/\nforged line"  # as a handler could receive it, percent-decoded
    caplog.set_level(logging.WARNING)
    log_response("Not Found: %s", request.path, response=HttpResponse(status=404), request=request)

    assert [record.getMessage() for record in django_request_records(caplog)] == [
        "GET /studies/1/\\nforged line 404 Not Found"
    ]


def test_server_error_keeps_its_traceback(caplog):
    request = RequestFactory().get("/studies/1/")
    caplog.set_level(logging.ERROR)
    try:
        raise PermissionDenied("raised only to have a traceback")
    except PermissionDenied as exc:
        log_response(
            "%s: %s", "Internal Server Error", request.path,
            response=HttpResponse(status=500), request=request, exception=exc,
        )  # fmt: skip

    (record,) = django_request_records(caplog)
    assert record.getMessage() == "Internal Server Error: /studies/1/" and record.exc_info
    assert "Traceback" in caplog.text


def test_records_are_printed_once_with_debug_too():
    # Django's default configuration gives "django" a console handler when DEBUG is on; root prints already.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []
