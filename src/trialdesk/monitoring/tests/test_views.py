"""Monitoring pages: they render for the people who may see them, forms show the service's refusals on
the field they name and save nothing, letters are PDFs, and site staff see only their part."""

import datetime as dt

import pytest

from tests.factories import PASSWORD
from tests.writes import nothing_written
from trialdesk.monitoring import services
from trialdesk.monitoring.models import ActionItem, MonitoringPlan, VisitReport
from trialdesk.monitoring.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(world):
    f.plan(world)
    f.set_up(world)
    return f.conducted(world, day=dt.date(2025, 3, 10))


def test_the_study_tabs_render_for_the_team_and_say_little_to_site_staff(world, visit, client_for):
    coordinator = f.coordinator_at(world, world.site_a1)
    for tab in ("monitoring", "rbqm"):
        page = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab={tab}")
        assert page.status_code == 200
    crm_page = client_for(world.crm).get(f"/studies/{world.study_a.pk}/?tab=monitoring").content.decode()
    assert "monitoring-sites" in crm_page and "kg CO2e" in crm_page
    staff = client_for(coordinator).get(f"/studies/{world.study_a.pk}/?tab=rbqm").content.decode()
    assert "the study team's and its monitors' records" in staff


def test_the_plan_form_makes_a_new_version_and_asks_why(world, client_for):
    client = client_for(world.crm)
    url = f"/studies/{world.study_a.pk}/monitoring/plan/new/"
    assert client.get(url).status_code == 200
    form = {
        "effective_on": "2025-01-01",
        "first_imv_weeks": 6,
        "cov_within_days": 30,
        "qualification_required": "on",
        "report_due_working_days": 10,
        "approval_due_working_days": 5,
        "escalation_days": 0,
        "for_cause_within_days": 14,
        "signal_triage_days": 5,
        "primary_endpoint_visits": "W12",
        "notes": "",
    }
    for tier, values in {
        "low": (84, "remote"),
        "medium": (56, "alternating"),
        "high": (28, "on_site"),
    }.items():
        form |= {
            f"{tier}_interval_days": values[0],
            f"{tier}_modality": values[1],
            f"{tier}_remote_allowed": "on",
            f"{tier}_sdv_percent": 50,
            f"{tier}_sdr_percent": 50,
            f"{tier}_critical_sdv_percent": 100,
        }
    assert client.post(url, form).status_code == 302
    with nothing_written():
        again = client.post(url, form | {"reason": ""})
    assert again.status_code == 200 and again.context["form"].errors["reason"]
    assert client.post(url, form | {"reason": "monthly high-risk visits"}).status_code == 302
    assert MonitoringPlan.objects.filter(study=world.study_a).count() == 2
    assert (
        "monthly high-risk visits"
        in client.get(f"/studies/{world.study_a.pk}/monitoring/plan/").content.decode()
    )


def test_the_cra_writes_the_report_and_a_missing_answer_is_named_on_its_question(world, visit, client_for):
    client = client_for(world.monitor)
    report = visit.report
    url = f"/monitoring/reports/{report.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and page.context["may_submit"]
    with nothing_written():
        refused = client.post(f"{url}submit/", {"password": PASSWORD, "version": report.version})
    assert refused.status_code == 422
    assert "Answer this question before submitting." in refused.content.decode()
    answered = f.answered(VisitReport.objects.get(pk=report.pk), by=world.monitor)
    with nothing_written():
        wrong = client.post(f"{url}submit/", {"password": "nope", "version": answered.version})
    assert "This is not your password" in wrong.content.decode()
    assert (
        client.post(f"{url}submit/", {"password": PASSWORD, "version": answered.version}).status_code == 302
    )
    assert VisitReport.objects.get(pk=report.pk).status == "submitted"


def test_the_crm_returns_with_comments_and_approves_with_a_signature(world, visit, client_for):
    report = services.submit_report(
        report=f.answered(visit.report, by=world.monitor), by=world.monitor, password=PASSWORD
    )
    client = client_for(world.crm)
    url = f"/monitoring/reports/{report.pk}/review/"
    with nothing_written():
        refused = client.post(url, {"decision": "return", "comments": ""})
    assert refused.status_code == 422 and "Say what the CRA is to change." in refused.content.decode()
    assert client.post(url, {"decision": "approve", "password": PASSWORD}).status_code == 302
    page = client.get(f"/monitoring/reports/{report.pk}/").content.decode()
    assert "Reviewer: I have reviewed and approve this report" in page and world.crm.get_full_name() in page


def test_an_action_item_form_without_owner_or_due_date_names_both(world, visit, client_for):
    with nothing_written():
        page = client_for(world.monitor).post(
            f"/monitoring/reports/{visit.report.pk}/action-items/new/",
            {"description": "Re-consent", "owner_party": "site"},
        )
    assert page.status_code == 200
    assert set(page.context["form"].errors) >= {"owner", "due_on"}


def test_site_staff_resolve_their_action_item_on_its_page(world, visit, client_for):
    coordinator = f.coordinator_at(world, world.site_a1)
    item = services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        report=visit.report,
        description="File ICF",
        owner=coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    client = client_for(coordinator)
    url = f"/monitoring/action-items/{item.pk}/"
    assert client.get(url).context["moves"] == ["resolve"]
    assert (
        client.post(url, {"move": "resolve", "resolution": "Filed", "version": item.version}).status_code
        == 302
    )
    assert ActionItem.objects.get(pk=item.pk).status == "resolved"
    assert client.post(url, {"move": "close", "version": item.version + 1}).status_code == 403


def test_the_letters_are_pdfs(world, visit, client_for):
    client = client_for(world.monitor)
    for url in (
        f"/monitoring/visits/{visit.pk}/confirmation-letter.pdf",
        f"/monitoring/reports/{visit.report.pk}/follow-up-letter.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")


def test_the_sponsor_viewer_reads_the_report_but_not_its_participants(world, visit, client_for):
    participant = f.enrolled(world, world.site_a1, "101-001")
    services.add_source_review(report=visit.report, by=world.monitor, participant=participant)
    page = client_for(world.sponsor_viewer).get(f"/monitoring/reports/{visit.report.pk}/").content.decode()
    assert "101-001" not in page and "Hidden" in page
    assert (
        "101-001" in client_for(world.auditor).get(f"/monitoring/reports/{visit.report.pk}/").content.decode()
    )


def test_the_site_page_shows_the_tier_and_why_to_the_team_only(world, visit, client_for):
    coordinator = f.coordinator_at(world, world.site_a1)
    team = client_for(world.crm).get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert "Risk tier" in team and "no flags, no open issues" in team
    staff = client_for(coordinator).get(f"/study-sites/{world.site_a1.pk}/").content.decode()
    assert "site-monitoring" in staff and "Risk tier" not in staff


def test_lists_sort_and_page(world, visit, client_for, settings):
    settings.PAGE_SIZE = 1
    services.schedule_visit(
        study_site=world.site_a1, by=world.monitor, visit_type="imv", planned_on=dt.date(2031, 1, 1)
    )
    client = client_for(world.crm)
    first = client.get(f"/studies/{world.study_a.pk}/monitoring/visits/?sort=planned_on")
    assert first.context["page"].paginator.num_pages == 2 and first.context["page"][0].planned_on == dt.date(
        2025, 3, 10
    )
    newest = client.get(f"/studies/{world.study_a.pk}/monitoring/visits/?sort=-planned_on")
    assert newest.context["page"][0].planned_on == dt.date(2031, 1, 1)
    assert (
        client.get(
            f"/studies/{world.study_a.pk}/monitoring/action-items/?sort=-due_on&status=all"
        ).status_code
        == 200
    )
    assert client.get(f"/studies/{world.study_a.pk}/monitoring/issues/?sort=severity").status_code == 200


def test_the_oversight_page_answers_quickly_in_queries(
    world, visit, client_for, django_assert_max_num_queries
):
    client = client_for(world.crm)
    with django_assert_max_num_queries(60):
        page = client.get("/monitoring/oversight/")
    assert page.status_code == 200 and "monitor_mia" in page.content.decode()


def test_my_work_lists_the_report_to_write_for_the_cra(world, visit, client_for):
    page = client_for(world.monitor).get("/my-work/").content.decode()
    assert "Write the report of the" in page


def test_a_signal_page_names_its_flag_in_words(world, client_for):
    from trialdesk.monitoring.tests.scoping import _signal

    signal = _signal(world, world.site_a1)
    body = client_for(world.crm).get(f"/monitoring/signals/{signal.pk}/").content.decode()
    assert "flagged Red (high) (score 3.40" in body
