"""An out-of-window visit raises a protocol deviation (issue 12 §4): the window is the protocol's (the
visit definition's days before and after its target); a visit recorded outside it, from the page, the API
or an import, creates one visit-window deviation waiting for review, and correcting the visit adds none."""

import datetime as dt
import json

import pytest

from trialdesk.core.models import AuditEvent
from trialdesk.visits import rules, services
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit

D = dt.date
WINDOW = "its window 2025-03-14 to 2025-03-20"


@pytest.mark.parametrize(
    "done_on, departure",
    [
        (D(2025, 3, 14), None),  # the window's first day
        (D(2025, 3, 20), None),  # its last day
        (D(2025, 3, 13), f"W2 took place on 2025-03-13, 1 day before {WINDOW} opened."),
        (D(2025, 3, 9), f"W2 took place on 2025-03-09, 5 days before {WINDOW} opened."),
        (D(2025, 3, 25), f"W2 took place on 2025-03-25, 5 days after {WINDOW} closed."),
    ],
)
def test_window_departure(done_on, departure):
    found = rules.window_departure(
        label="W2", done_on=done_on, start_on=D(2025, 3, 14), end_on=D(2025, 3, 20)
    )
    assert found == departure


def test_an_unscheduled_visit_has_no_window_to_depart_from():
    assert rules.window_departure(label="Visit", done_on=D(2025, 3, 1), start_on=None, end_on=None) is None


def window_deviations(visit):
    return ProtocolDeviation.objects.filter(scheduled_visit=visit, category="visit_window")


def record(visit, done_on, *, by, reason=""):
    return services.record_visit(
        scheduled_visit=visit, done_on=done_on, modality="on_site", by=by, reason=reason
    )


def test_a_visit_outside_its_window_raises_a_deviation_for_review(world, vw):
    visit = record(vw.visit_a1, D(2025, 3, 25), by=world.crm)
    deviation = window_deviations(visit).get()
    assert (deviation.created_automatically, deviation.review_status, deviation.important) == (
        True,
        "needs_review",
        False,
    )
    assert (deviation.participant, deviation.study_site) == (vw.participant_a1, world.site_a1)
    assert deviation.occurred_on == D(2025, 3, 25) and deviation.identified_on == world.site_a1.local_today()
    assert deviation.description == (
        f"{vw.visit_a1.definition.code} took place on 2025-03-25, 5 days after its window "
        f"{vw.visit_a1.window_start_on:%Y-%m-%d} to {vw.visit_a1.window_end_on:%Y-%m-%d} closed."
    )
    created = AuditEvent.objects.get(action="protocoldeviation.created", object_id=str(deviation.pk))
    assert created.reason == "Detected when the visit was recorded"


def test_a_visit_in_its_window_raises_none(world, vw):
    record(vw.visit_a1, D(2025, 3, 16), by=world.crm)
    assert not window_deviations(vw.visit_a1).exists()


def test_correcting_the_visit_date_adds_no_second_deviation(world, vw):
    record(vw.visit_a1, D(2025, 3, 25), by=world.crm)
    record(ScheduledVisit.objects.get(pk=vw.visit_a1.pk), D(2025, 3, 26), by=world.crm, reason="typo")
    assert window_deviations(vw.visit_a1).count() == 1


def test_an_unscheduled_visit_raises_none(world, vw):
    visit = services.record_unscheduled_visit(
        participant=vw.participant_a1, done_on=D(2025, 3, 25), modality="on_site", by=world.crm
    )
    assert not window_deviations(visit).exists()


def test_recording_through_the_api_raises_it_too(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/api/v1/participants/{vw.participant_a1.pk}/visits",
        json.dumps({"scheduled_visit_id": vw.visit_a1.pk, "done_on": "2025-03-25", "modality": "on_site"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["out_of_window"] is True
    assert window_deviations(vw.visit_a1).count() == 1


def test_recording_on_the_page_raises_it_and_says_so(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/participants/{vw.participant_a1.pk}/visits/record/",
        {"visit": str(vw.visit_a1.pk), "done_on": "2025-03-25", "modality": "on_site"},
        follow=True,
    )
    assert response.status_code == 200
    assert window_deviations(vw.visit_a1).count() == 1
    assert "Visit window deviation created for review" in response.content.decode()
