"""The API fuzzed from its own OpenAPI document (issue 12 §4): schemathesis generates requests for every
operation, sends them to the Django app in-process (WSGI) as the CRM of study A with an API token, and
checks that none answers 5xx and that every answer is one the document promises (status code, content
type, headers, body schema).

Deterministic (derandomized, no example database) and bounded: a fixed number of examples per operation,
at least MINIMUM_CASES in all. Each operation is tried with the ids of real records of the world (so
writes get past the 404) and with generated ones.
"""

import time

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi import checks as openapi_checks

from tests.test_scoping_every_route import cases_by_parameter
from trialdesk.core.services import create_api_token

# The every-route sweep and the fuzz run once, on SQLite (conftest.py: one_database).
pytestmark = pytest.mark.one_database

# Seven per operation: with 364 operations (issue 17's apps doubled their number) about 2,500 cases, as many
# as twelve per operation gave at 200 operations, in half the time twelve would now take.
EXAMPLES_PER_OPERATION = 7
MINIMUM_CASES = 2000
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
# Operations that would end the run's own credentials: revoking the token it sends.
SKIPPED = {("DELETE", "/api/v1/me/tokens/{token_id}")}


def real_ids(world, token) -> dict[str, int]:
    """For each path parameter, a record the CRM of study A may see (the every-route test's objects)."""
    cases = cases_by_parameter(world, token)
    return {
        parameter: next((case.object_id for case in found if "crm" in case.visible_to), found[0].object_id)
        for parameter, found in cases.items()
    }


def strategy_for(operation, ids: dict[str, int]):
    generated = operation.as_strategy()
    names = [parameter.name for parameter in operation.path_parameters]
    if not names or not all(name in ids for name in names):
        return generated
    return st.one_of(operation.as_strategy(path_parameters={name: ids[name] for name in names}), generated)


@pytest.mark.django_db(transaction=False)
def test_the_api_answers_every_generated_request_as_documented(world, settings_override, connection_kept):
    token, secret = create_api_token(user=world.crm, name="schemathesis", by=world.crm)
    ids = real_ids(world, token)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {secret}"}
    sent = 0
    started = time.monotonic()
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=["explicit", "generate"],
        )
        @given(case=strategy_for(operation, ids))
        def check(case):
            nonlocal sent
            sent += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # every operation's failures, reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    elapsed = time.monotonic() - started
    print(f"schemathesis: {sent} cases in {elapsed:.0f} s")
    assert not failures, "\n\n".join(failures)
    assert sent >= MINIMUM_CASES, f"only {sent} cases were generated"


@pytest.fixture
def settings_override(settings):
    # The werkzeug test client schemathesis uses calls the app "localhost".
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    return settings


@pytest.fixture
def connection_kept():
    """As Django's own test client does: the requests run inside the test's transaction, so the database
    connection must not be closed between them (each request's start and end would otherwise close it on
    PostgreSQL, where the connection is not one in-memory SQLite keeps, and every later request fail)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
