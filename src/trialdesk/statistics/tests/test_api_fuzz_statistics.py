"""The statistics API operations fuzzed from the OpenAPI document, as tests/test_api_fuzz.py does for the
whole API but with more examples each: no 5xx, and every answer one the document promises."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

from tests.test_api_fuzz import CHECKS, connection_kept, settings_override, strategy_for  # noqa: F401, F811
from trialdesk.core.services import create_api_token
from trialdesk.statistics.tests.test_forecasts import recruiting_world

EXAMPLES_PER_OPERATION = 40
# Like the whole-API fuzz, run once, on SQLite (conftest.py: one_database): the answers come from the same
# calculations on either database.
pytestmark = pytest.mark.one_database
OURS = ("/forecast", "/recruitment-plan")


@pytest.mark.django_db(transaction=False)
def test_the_statistics_api_answers_every_generated_request_as_documented(
    world,
    settings_override,  # noqa: F811 (the fuzz test's fixtures, imported above)
    connection_kept,  # noqa: F811
):
    recruiting_world(world)
    token, secret = create_api_token(user=world.crm, name="schemathesis", by=world.crm)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    headers = {"Authorization": f"Bearer {secret}"}
    failures, sent = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not any(part in operation.path for part in OURS):
            continue

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=["explicit", "generate"],
        )
        @given(case=strategy_for(operation, {"study_id": world.study_a.pk}))
        def check(case):
            nonlocal sent
            sent += 1
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
    assert sent >= 4 * EXAMPLES_PER_OPERATION // 2
