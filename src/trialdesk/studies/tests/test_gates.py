"""A protocol approval cannot predate its submission or the version's date (issue 12 §4): the rule as a
table, then the service, the API (422 naming `on`) and the page (a form error), with nothing written."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tests.writes import nothing_written
from trialdesk.studies import rules, services

D = dt.date
VERSION_DATE = D(2025, 1, 15)  # the world's protocol v1.0


SUBMITTED_EARLY = {"submitted_on": "It cannot be submitted before its version date (2025-01-15)."}
APPROVED_BEFORE_SUBMISSION = {"approved_on": "The approval cannot predate the submission (2025-01-20)."}
APPROVED_BEFORE_DATE = {"approved_on": "The approval cannot predate the version date (2025-01-15)."}
EFFECTIVE_EARLY = {"effective_on": "It cannot take effect before its approval (2025-02-01)."}


@pytest.mark.parametrize(
    "submitted_on, approved_on, effective_on, problems",
    [
        (None, None, None, {}),
        (D(2025, 1, 20), D(2025, 2, 1), D(2025, 2, 1), {}),
        (D(2025, 1, 15), D(2025, 1, 15), D(2025, 1, 15), {}),  # all on the version's own date
        (D(2025, 1, 10), None, None, SUBMITTED_EARLY),
        (D(2025, 1, 20), D(2025, 1, 19), None, APPROVED_BEFORE_SUBMISSION),
        (None, D(2025, 1, 1), None, APPROVED_BEFORE_DATE),
        (D(2025, 1, 20), D(2025, 2, 1), D(2025, 1, 31), EFFECTIVE_EARLY),
    ],
)
def test_protocol_dates_problems(submitted_on, approved_on, effective_on, problems):
    found = rules.protocol_dates_problems(
        version_date=VERSION_DATE,
        submitted_on=submitted_on,
        approved_on=approved_on,
        effective_on=effective_on,
    )
    assert found == problems


def submitted(world, on=D(2025, 1, 20)):
    return services.change_protocol_status(
        protocol_version=world.protocol_a, to="submitted", on=on, by=world.crm, reason="to the EC"
    )


def test_the_submission_date_is_kept(world):
    assert submitted(world).submitted_on == D(2025, 1, 20)


@pytest.mark.parametrize(
    "approved_on, message",
    [
        (D(2025, 1, 19), "The approval cannot predate the submission (2025-01-20)."),
        (D(2024, 12, 1), "The approval cannot predate the submission (2025-01-20)."),
    ],
)
def test_the_service_refuses_an_approval_before_the_submission(world, approved_on, message):
    version = submitted(world)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.change_protocol_status(
            protocol_version=version, to="approved", on=approved_on, by=world.crm, reason="approved"
        )
    assert refused.value.message_dict == {"on": [message]}


def test_the_service_refuses_a_submission_before_the_version_date(world):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        submitted(world, on=D(2025, 1, 1))
    assert refused.value.message_dict == {
        "on": ["It cannot be submitted before its version date (2025-01-15)."]
    }


def test_an_approved_version_cannot_be_redated_after_its_approval(world):
    version = submitted(world)
    version = services.change_protocol_status(
        protocol_version=version, to="approved", on=D(2025, 2, 1), by=world.crm, reason="approved"
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.update_protocol_version(
            protocol_version=version, changes={"version_date": D(2025, 3, 1)}, by=world.crm, reason="typo"
        )
    assert set(refused.value.message_dict) == {"submitted_on", "approved_on"}


def test_the_api_answers_422_naming_on(world, client_for):
    version = submitted(world)
    with nothing_written():
        response = client_for(world.crm).post(
            f"/api/v1/protocol-versions/{version.pk}/transition",
            json.dumps(
                {"to": "approved", "on": "2025-01-02", "reason": "approved", "version": version.version}
            ),
            content_type="application/json",
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "on", "message": "The approval cannot predate the submission (2025-01-20)."}
    ]


def test_the_api_shows_the_submission_date(world, client_for):
    version = submitted(world)
    body = client_for(world.crm).get(f"/api/v1/protocol-versions/{version.pk}").json()
    assert body["submitted_on"] == "2025-01-20"


def test_the_page_shows_the_early_approval_as_a_form_error(world, client_for):
    version = submitted(world)
    with nothing_written():
        response = client_for(world.crm).post(
            f"/protocol-versions/{version.pk}/status/",
            {"to": "approved", "on": "2025-01-02", "reason": "approved", "version": version.version},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["on"] == [
        "The approval cannot predate the submission (2025-01-20)."
    ]
