"""Visit pages: the schedule of activities, a participant's visits, missed visits, deviations and the tab."""

import datetime as dt

from tests.writes import nothing_written
from trialdesk.visits.models import ProtocolDeviation, ScheduledVisit, VisitDefinition

D = dt.date


def body(response) -> str:
    return response.content.decode()


# Schedule of activities ------------------------------------------------------------------------------


def test_the_schedule_lists_the_visits_in_order_for_everyone_on_the_study(world, vw, client_for):
    url = f"/protocol-versions/{world.protocol_a.pk}/schedule/"
    page = body(client_for(world.monitor).get(url))
    assert page.index("Baseline") < page.index("Week 2") < page.index("End of study")
    assert "−3/+3 d" in page and "Telemedicine" in page
    assert "New visit" not in page
    assert "New visit" in body(client_for(world.crm).get(url))


def test_the_protocol_tab_links_to_each_version_schedule(world, client_for):
    page = body(client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=protocol"))
    assert f"/protocol-versions/{world.protocol_a.pk}/schedule/" in page


def test_the_crm_adds_a_visit_with_its_modalities(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/protocol-versions/{world.protocol_a.pk}/schedule/new/",
        {
            "code": "W8",
            "name": "Week 8",
            "visit_type": "treatment",
            "anchor": "randomization",
            "day_offset": "56",
            "window_before_days": "5",
            "window_after_days": "5",
            "modalities": ["on_site", "remote_data"],
            "order": "4",
        },
    )
    assert response.status_code == 302
    definition = VisitDefinition.objects.get(code="W8")
    assert definition.modalities == ["on_site", "remote_data"] and definition.day_offset == 56


def test_a_visit_without_modalities_is_refused_on_the_field(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/protocol-versions/{world.protocol_a.pk}/schedule/new/",
        {
            "code": "W8",
            "name": "Week 8",
            "visit_type": "treatment",
            "anchor": "randomization",
            "day_offset": "56",
        },
    )
    assert response.status_code == 200
    assert "Allow at least one modality." in body(response)


def test_editing_a_visit_needs_a_reason(world, vw, client_for):
    definition = vw.definition("W2")
    url = f"/visit-definitions/{definition.pk}/edit/"
    values = {
        "code": "W2",
        "name": "Week 2 (telephone allowed)",
        "visit_type": "treatment",
        "anchor": "randomization",
        "day_offset": "14",
        "window_before_days": "3",
        "window_after_days": "3",
        "modalities": ["on_site", "telemedicine"],
        "order": "2",
        "version": "1",
    }
    crm = client_for(world.crm)
    assert "A reason for change is required." in body(crm.post(url, values))
    assert crm.post(url, {**values, "reason": "Amendment wording"}).status_code == 302
    assert VisitDefinition.objects.get(pk=definition.pk).name == "Week 2 (telephone allowed)"


def test_the_monitor_may_not_open_the_visit_form(world, vw, client_for):
    response = client_for(world.monitor).get(f"/protocol-versions/{world.protocol_a.pk}/schedule/new/")
    assert response.status_code == 403


# A participant's visits ------------------------------------------------------------------------------


def test_the_visit_list_shows_standing_and_the_record_form_to_site_staff(world, vw, client_for, clock):
    clock.move_to("2025-03-20T10:00Z")
    page = body(client_for(world.crm).get(f"/participants/{vw.participant_a1.pk}/visits/"))
    assert "101-001" in page and "missed" in page and "Due now" in page and "Upcoming" in page
    assert "Record a visit" in page and "Schedule visits" in page


def test_the_monitor_reads_the_visits_but_gets_no_form(world, vw, client_for):
    response = client_for(world.monitor).get(f"/participants/{vw.participant_a1.pk}/visits/")
    assert response.status_code == 200 and "Record a visit" not in body(response)


def test_the_coordinator_of_another_site_gets_404(world, vw, client_for):
    assert (
        client_for(world.coordinator).get(f"/participants/{vw.participant_a1.pk}/visits/").status_code == 404
    )


def test_recording_a_visit_from_the_page(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/participants/{vw.participant_a1.pk}/visits/record/",
        {"visit": str(vw.visit_a1.pk), "done_on": "2025-03-25", "modality": "on_site"},
    )
    assert response.status_code == 302
    visit = ScheduledVisit.objects.get(pk=vw.visit_a1.pk)
    assert visit.done_on == D(2025, 3, 25) and visit.out_of_window


def test_a_refused_visit_date_is_shown_on_its_field(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/participants/{vw.participant_a1.pk}/visits/record/",
        {"visit": str(vw.visit_a1.pk), "done_on": "2025-02-20", "modality": "on_site"},
    )
    assert response.status_code == 200
    assert "before the participant&#x27;s enrollment" in body(response)
    assert ScheduledVisit.objects.get(pk=vw.visit_a1.pk).status == "scheduled"


def test_an_unscheduled_visit_from_the_page(world, vw, client_for):
    response = client_for(world.coordinator).post(
        f"/participants/{vw.participant_b1.pk}/visits/record/",
        {"visit": "unscheduled", "done_on": "2025-03-05", "modality": "telemedicine", "note": "AE follow-up"},
    )
    assert response.status_code == 302
    assert (
        ScheduledVisit.objects.get(participant=vw.participant_b1, definition__isnull=True).note
        == "AE follow-up"
    )


def test_scheduling_visits_from_the_page(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/participants/{vw.participant_a1.pk}/visits/schedule/",
        {"anchor": "consent", "anchor_on": "2025-02-20"},
    )
    assert response.status_code == 302
    assert ScheduledVisit.objects.filter(participant=vw.participant_a1, definition__code="SCR").exists()


def test_the_auditor_may_not_record(world, vw, client_for):
    with nothing_written():
        response = client_for(world.auditor).post(
            f"/participants/{vw.participant_a1.pk}/visits/record/",
            {"visit": str(vw.visit_a1.pk), "done_on": "2025-03-17", "modality": "on_site"},
        )
    assert response.status_code == 403
    assert ScheduledVisit.objects.get(pk=vw.visit_a1.pk).status == "scheduled"


def test_missed_visits_page_links_to_the_participant(world, vw, client_for, clock):
    clock.move_to("2025-03-25T10:00Z")
    page = body(client_for(world.crm).get(f"/studies/{world.study_a.pk}/missed-visits/"))
    assert f"/participants/{vw.participant_a1.pk}/visits/" in page and "4 missed visits" in page


# Deviations ------------------------------------------------------------------------------------------


def test_the_deviation_list_filters_by_site_and_importance(world, vw, client_for):
    crm = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/deviations/"
    assert "2 deviations" in body(crm.get(url))
    only_a1 = body(crm.get(url, {"site": world.site_a1.pk}))
    assert f"PD-{vw.deviation_a1.pk}" in only_a1 and f"PD-{vw.deviation_a2.pk}" not in only_a1
    important = body(crm.get(url, {"important": "yes"}, HTTP_HX_REQUEST="true"))
    assert "1 deviation" in important and "<html" not in important


def test_the_monitor_lists_only_their_site_deviations(world, vw, client_for):
    page = body(client_for(world.monitor).get(f"/studies/{world.study_a.pk}/deviations/"))
    assert f"PD-{vw.deviation_a1.pk}" in page and f"PD-{vw.deviation_a2.pk}" not in page


def test_recording_a_deviation_from_the_page(world, vw, client_for):
    response = client_for(world.monitor).post(
        f"/studies/{world.study_a.pk}/deviations/new/",
        {
            "study_site": world.site_a1.pk,
            "participant": vw.participant_a1.pk,
            "category": "eligibility",
            "description": "Inclusion 4 not met at randomization.",
            "occurred_on": "2025-03-03",
            "identified_on": "2025-03-10",
            "important": "on",
        },
    )
    assert response.status_code == 302
    deviation = ProtocolDeviation.objects.get(category="eligibility")
    assert deviation.important and deviation.participant == vw.participant_a1


def test_a_deviation_identified_before_it_occurred_is_refused_on_the_field(world, vw, client_for):
    response = client_for(world.crm).post(
        f"/studies/{world.study_a.pk}/deviations/new/",
        {
            "study_site": world.site_a1.pk,
            "category": "other",
            "description": "x",
            "occurred_on": "2025-03-10",
            "identified_on": "2025-03-03",
        },
    )
    assert response.status_code == 200
    assert "identified on or after the day it occurred" in body(response)


def test_editing_and_reviewing_a_deviation(world, vw, client_for):
    crm = client_for(world.crm)
    deviation = vw.deviation_a1
    response = crm.post(
        f"/deviations/{deviation.pk}/edit/",
        {
            "study_site": world.site_a1.pk,
            "participant": vw.participant_a1.pk,
            "category": "visit_window",
            "description": deviation.description,
            "occurred_on": "2025-03-22",
            "identified_on": "2025-03-25",
            "corrective_action": "Site retrained on windows.",
            "version": "1",
            "reason": "Corrective action agreed",
        },
    )
    assert response.status_code == 302
    assert (
        crm.post(f"/deviations/{deviation.pk}/review/", {"important": "no", "version": "2"}).status_code
        == 302
    )
    deviation.refresh_from_db()
    assert (deviation.corrective_action, deviation.review_status, deviation.important) == (
        "Site retrained on windows.",
        "reviewed",
        False,
    )


def test_the_monitor_may_not_review(world, vw, client_for):
    assert client_for(world.monitor).get(f"/deviations/{vw.deviation_a1.pk}/review/").status_code == 403


def test_the_study_page_has_a_deviations_tab_with_the_trend_by_site(world, vw, client_for):
    crm = client_for(world.crm)
    page = body(crm.get(f"/studies/{world.study_a.pk}/?tab=deviations"))
    assert "Deviations by site" in page and "Site 101" in page and "Site 102" in page
    assert "per participant-month" in page
    partial = body(crm.get(f"/studies/{world.study_a.pk}/?tab=deviations", HTTP_HX_REQUEST="true"))
    assert "deviation-trend" in partial and "<html" not in partial


def test_the_monitor_sees_only_their_site_in_the_trend(world, vw, client_for):
    page = body(client_for(world.monitor).get(f"/studies/{world.study_a.pk}/?tab=deviations"))
    assert "Site 101" in page and "Tokyo Medical" not in page
