"""Writes of monitoring: each refusal names its field and leaves nothing behind; each write is audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import PASSWORD, make_user
from tests.writes import nothing_written
from trialdesk.core.models import AuditEvent
from trialdesk.core.records import StaleVersion
from trialdesk.core.roles import Role
from trialdesk.core.services.roles import assign_role
from trialdesk.monitoring import services
from trialdesk.monitoring.models import (
    ActionItem,
    Issue,
    MonitoringVisit,
    ReportSignature,
    Signal,
    VisitReport,
)
from trialdesk.monitoring.rules import carbon
from trialdesk.monitoring.services.reports import content_digest
from trialdesk.monitoring.tests import factories as f

pytestmark = pytest.mark.django_db


def fields(error: ValidationError) -> set[str]:
    return set(error.value.message_dict)


# Plans and set-ups ------------------------------------------------------------------------------------------


def test_a_plan_change_is_a_new_version_with_its_reason_and_carries_the_rest_over(world):
    first = f.plan(world, report_due_working_days=8)
    assert first.number == 1 and {r.tier for r in first.tier_rules.all()} == {"low", "medium", "high"}
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.create_plan(study=world.study_a, by=world.crm, effective_on=dt.date(2025, 6, 1))
    assert fields(refused) == {"reason"}
    second = services.create_plan(
        study=world.study_a,
        by=world.crm,
        effective_on=dt.date(2025, 6, 1),
        reason="high-risk sites monthly",
        tier_rules={"high": {"interval_days": 30}},
    )
    assert second.number == 2 and second.report_due_working_days == 8
    assert (
        second.tier_rules.get(tier="high").interval_days == 30
        and second.tier_rules.get(tier="low").interval_days == 84
    )
    event = AuditEvent.objects.get(object_type="monitoring.monitoringplan", object_id=str(second.pk))
    assert event.reason == "high-risk sites monthly"


def test_only_the_crm_writes_the_plan(world):
    for person in (world.monitor, world.auditor, world.sponsor_viewer):
        with nothing_written(), pytest.raises(PermissionDenied):
            services.create_plan(study=world.study_a, by=person, effective_on=dt.date(2025, 1, 1))


def test_the_cra_of_a_site_must_be_one_of_its_monitors(world):
    stranger = make_user("cra_elsewhere")
    with nothing_written(), pytest.raises(ValidationError) as refused:
        f.set_up(world, cra=stranger)
    assert fields(refused) == {"cra"}


def test_a_cra_changes_their_own_travel_but_not_who_monitors_the_site(world):
    setup = f.set_up(world)
    changed = services.save_site_setup(
        study_site=world.site_a1,
        by=world.monitor,
        reason="moved",
        expected_version=setup.version,
        cra_base="Mainz",
    )
    assert changed.cra_base == "Mainz"
    with pytest.raises(PermissionDenied):
        services.save_site_setup(study_site=world.site_a1, by=world.monitor, reason="x", tier_override="low")


# Visits -----------------------------------------------------------------------------------------------------


def test_a_visit_at_a_site_outside_the_cras_assignment_is_refused_naming_the_cra(world):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.schedule_visit(
            study_site=world.site_a2,
            by=world.crm,
            visit_type="imv",
            planned_on=dt.date(2025, 4, 1),
            cra=world.monitor,
        )
    assert fields(refused) == {"cra"}


def test_conducting_opens_the_report_due_ten_working_days_later_and_works_out_the_travel(world):
    f.plan(world)
    f.set_up(world)
    visit = f.conducted(world, day=dt.date(2025, 3, 10))
    report = VisitReport.objects.get(visit=visit)
    assert report.status == "draft" and report.due_on == dt.date(2025, 3, 24)
    # Frankfurt–Berlin great circle × 1.417 road detour × 2 (round trip) × 0.16725 kg/km (average car)
    km = carbon.haversine_km(f.FRANKFURT, f.BERLIN) * 1.417 * 2
    assert float(visit.travel_km) == pytest.approx(km, abs=0.05)
    assert float(visit.kg_co2e) == pytest.approx(km * 0.16725, abs=0.01)
    assert "Department for Energy Security and Net Zero" in visit.carbon_source


def test_a_remote_visit_travels_nowhere(world):
    f.set_up(world)
    visit = f.conducted(world, modality="remote")
    assert (visit.travel_km, visit.kg_co2e) == (0, 0)


def test_a_visit_cannot_be_conducted_in_the_future(world, clock):
    later = clock.today(world.site_a1) + dt.timedelta(days=2)
    visit = services.schedule_visit(
        study_site=world.site_a1, by=world.monitor, visit_type="imv", planned_on=later
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.move_visit(visit=visit, move="conduct", by=world.monitor, conducted_on=later)
    assert fields(refused) == {"conducted_on"}


def test_cancelling_needs_a_reason_and_is_final(world):
    visit = services.schedule_visit(
        study_site=world.site_a1, by=world.monitor, visit_type="imv", planned_on=dt.date(2031, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        services.move_visit(visit=visit, move="cancel", by=world.monitor)
    assert fields(refused) == {"reason"}
    cancelled = services.move_visit(
        visit=visit, move="cancel", by=world.monitor, reason="site closed for renovation"
    )
    with pytest.raises(ValidationError):
        services.move_visit(visit=cancelled, move="conduct", by=world.monitor)


# Reports and signatures -------------------------------------------------------------------------------------


def test_a_report_with_unanswered_required_questions_is_not_submitted(world):
    report = f.conducted(world).report
    services.update_report(
        report=report,
        by=world.monitor,
        answers={"consent_before_procedures": {"answer": "yes", "comment": ""}},
    )
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.submit_report(
            report=VisitReport.objects.get(pk=report.pk), by=world.monitor, password=PASSWORD
        )
    assert "answers.consent_current_version" in fields(refused)
    assert "answers.consent_before_procedures" not in fields(refused)


def test_a_wrong_password_signs_nothing(world):
    report = f.answered(f.conducted(world).report, by=world.monitor)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.submit_report(report=report, by=world.monitor, password="not it")
    assert fields(refused) == {"password"}


def test_submit_return_resubmit_approve_each_signed_and_linked_to_the_content(world):
    report = f.answered(f.conducted(world).report, by=world.monitor)
    report = services.submit_report(report=report, by=world.monitor, password=PASSWORD)
    with pytest.raises(ValidationError) as refused:
        services.return_report(report=report, by=world.crm, comments="  ")
    assert fields(refused) == {"comments"}
    report = services.return_report(report=report, by=world.crm, comments="Name the consent versions.")
    assert report.status == "returned" and report.review_comments == "Name the consent versions."
    report = services.update_report(report=report, by=world.monitor, summary="Versions: v1.0 and v2.0.")
    report = services.submit_report(report=report, by=world.monitor, password=PASSWORD)
    report = services.approve_report(report=report, by=world.crm, password=PASSWORD)
    assert report.status == "approved"
    signatures = list(ReportSignature.objects.filter(report=report).order_by("id"))
    assert [s.meaning for s in signatures] == ["authorship", "authorship", "approval"]
    assert signatures[-1].printed_name == world.crm.get_full_name() and signatures[-1].reauthenticated
    assert signatures[-1].content_sha256 == content_digest(report)
    with pytest.raises(ValidationError):
        services.update_report(report=report, by=world.monitor, summary="after approval")


def test_only_the_crm_approves_and_not_their_own_report(world):
    report = services.submit_report(
        report=f.answered(f.conducted(world).report, by=world.monitor), by=world.monitor, password=PASSWORD
    )
    for person in (world.monitor, world.auditor):
        with pytest.raises(PermissionDenied):
            services.approve_report(report=report, by=person, password=PASSWORD)


def test_a_crm_who_wrote_the_report_cannot_approve_it(world):
    # The CRM who is also the site's CRA writes and signs the report; another CRM must review it.
    assign_role(user=world.crm, role=Role.MONITOR, study_site=world.site_a1, by=world.admin)
    report = services.submit_report(
        report=f.answered(f.conducted(world).report, by=world.crm), by=world.crm, password=PASSWORD
    )
    with pytest.raises(ValidationError) as refused:
        services.approve_report(report=report, by=world.crm, password=PASSWORD)
    assert refused.value.message_dict["password"] == [services.reports.NOT_YOUR_OWN]
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_stale_version_is_refused(world):
    report = f.conducted(world).report
    services.update_report(report=report, by=world.monitor, summary="one")
    with pytest.raises(StaleVersion):
        services.update_report(report=report, by=world.monitor, summary="two", expected_version=1)


def test_a_finding_records_its_deviation_through_the_visits_app(world):
    participant = f.enrolled(world, world.site_a1, "101-001")
    report = f.conducted(world).report
    finding = services.add_finding(
        report=report, by=world.monitor, category="consent", severity="major", description="Consent late"
    )
    finding = services.record_finding_deviation(
        finding=finding, by=world.monitor, participant=participant, occurred_on=dt.date(2025, 3, 1)
    )
    deviation = finding.deviation
    assert (deviation.category, deviation.important, deviation.participant_id) == (
        "consent",
        True,
        participant.pk,
    )
    assert deviation.identified_on == dt.date(2025, 3, 10)


# Action items -----------------------------------------------------------------------------------------------


def test_an_action_item_without_owner_or_due_date_is_refused_naming_both(world):
    report = f.conducted(world).report
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.raise_action_item(
            study_site=world.site_a1, by=world.monitor, report=report, description="Re-consent"
        )
    assert fields(refused) == {"owner", "due_on"}


def test_a_due_date_before_the_visit_is_refused(world):
    report = f.conducted(world, day=dt.date(2025, 3, 10)).report
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.raise_action_item(
            study_site=world.site_a1,
            by=world.monitor,
            report=report,
            description="x",
            owner=world.monitor,
            due_on=dt.date(2025, 3, 9),
        )
    assert fields(refused) == {"due_on"}


def test_the_site_resolves_the_cra_verifies_and_closes(world):
    coordinator = f.coordinator_at(world, world.site_a1)
    report = f.conducted(world).report
    item = services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        report=report,
        description="File the ICF",
        owner=coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    assert item.number == 1
    with pytest.raises(ValidationError) as refused:
        services.move_action_item(item=item, move="resolve", by=coordinator)
    assert fields(refused) == {"resolution"}
    item = services.move_action_item(item=item, move="resolve", by=coordinator, resolution="Filed")
    with pytest.raises(PermissionDenied):
        services.move_action_item(item=item, move="close", by=coordinator)
    with pytest.raises(ValidationError) as refused:
        services.move_action_item(item=item, move="reopen", by=world.monitor)
    assert fields(refused) == {"reason"}
    item = services.move_action_item(item=item, move="close", by=world.monitor)
    assert (item.status, item.closed_by, item.resolved_by) == ("closed", world.monitor, coordinator)


def test_read_only_roles_change_no_action_item(world):
    item = services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        description="x",
        owner=world.monitor,
        due_on=dt.date(2031, 1, 1),
    )
    for person in (world.auditor, world.sponsor_viewer):
        with pytest.raises(PermissionDenied):
            services.move_action_item(item=item, move="resolve", by=person, resolution="done")


# Issues, QTLs, signals --------------------------------------------------------------------------------------


def test_an_issue_moves_through_its_capa(world):
    issue = services.raise_issue(
        study=world.study_a,
        by=world.crm,
        study_site=world.site_a1,
        title="Late SAE reports",
        category="safety",
        severity="major",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    with pytest.raises(ValidationError) as refused:
        services.move_issue(issue=issue, to="capa", by=world.crm)
    assert fields(refused) == {"root_cause", "corrective_action"}
    issue = services.move_issue(
        issue=issue, to="capa", by=world.crm, root_cause="No weekend cover", corrective_action="Retrain"
    )
    issue = services.move_issue(
        issue=issue,
        to="effectiveness_check",
        by=world.crm,
        preventive_action="Rota",
        effectiveness_check_on=dt.date(2031, 3, 1),
    )
    issue = services.move_issue(issue=issue, to="closed", by=world.crm, effectiveness="effective")
    assert issue.status == "closed" and issue.closed_on is not None


def test_a_qtl_breach_opens_one_issue_however_often_it_is_checked(world):
    for number in ("101-001", "101-002", "101-003", "101-004"):
        f.enrolled(world, world.site_a1, number)
    f.enrolled(world, world.site_a1, "101-005", status="withdrawn", status_changed_on=dt.date(2025, 2, 1))
    qtl = services.create_qtl(
        study=world.study_a, by=world.crm, parameter="early_discontinuation", limit=15, secondary_limit=10
    )
    opened = services.record_qtl_breaches(study=world.study_a, by=None)
    assert (
        len(opened) == 1
        and opened[0].qtl == qtl
        and opened[0].owner == world.crm
        and opened[0].source == "qtl"
    )
    assert "20.0 %" in opened[0].title
    assert services.record_qtl_breaches(study=world.study_a, by=None) == []


def test_a_secondary_limit_at_or_above_the_limit_is_refused(world):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.create_qtl(
            study=world.study_a, by=world.crm, parameter="screen_failure", limit=20, secondary_limit=20
        )
    assert fields(refused) == {"secondary_limit"}


def _signal(world, site=None):
    from trialdesk.core.records import create_record

    site = site or world.site_a1
    return create_record(
        Signal(
            study=site.study,
            study_site=site,
            kri_key="ae_rate",
            flag=2,
            score=3.2,
            metric=0.04,
            opened_on=dt.date(2025, 5, 1),
        ),
        by=None,
    )


def test_a_for_cause_decision_plans_a_visit_within_the_plans_days(world, clock):
    f.plan(world, for_cause_within_days=10)
    f.set_up(world)
    signal = services.triage_signal(signal=_signal(world), by=world.monitor, decision="for_cause_visit")
    visit = MonitoringVisit.objects.get(signal=signal)
    assert signal.status == "triaged" and visit.visit_type == "for_cause" and visit.cra == world.monitor
    assert visit.planned_on == clock.today(world.site_a1) + dt.timedelta(days=10)


def test_no_action_needs_a_rationale_and_closes_the_signal(world):
    signal = _signal(world)
    with nothing_written(), pytest.raises(ValidationError) as refused:
        services.triage_signal(signal=signal, by=world.crm, decision="no_action")
    assert fields(refused) == {"rationale"}
    signal = services.triage_signal(
        signal=signal, by=world.crm, decision="no_action", rationale="Seasonal flu wave"
    )
    assert signal.status == "closed" and signal.closed_on is not None


def test_an_action_item_decision_raises_one_for_the_sites_cra(world):
    f.set_up(world)
    signal = services.triage_signal(signal=_signal(world), by=world.crm, decision="action_item")
    item = ActionItem.objects.get(signal=signal)
    assert (item.owner, item.owner_party) == (world.monitor, "cra")


def test_a_cra_triages_only_their_own_sites_signals(world):
    with pytest.raises(PermissionDenied):
        services.triage_signal(
            signal=_signal(world, world.site_a2), by=world.monitor, decision="remote_review"
        )


def test_raising_an_issue_from_a_finding_links_it(world):
    report = f.conducted(world).report
    finding = services.add_finding(
        report=report, by=world.monitor, category="consent", severity="critical", description="No consent"
    )
    issue = services.raise_issue(
        study=world.study_a,
        by=world.monitor,
        source="finding",
        finding=finding,
        study_site=world.site_a1,
        title="No consent",
        category="consent",
        severity="critical",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    assert Issue.objects.get(finding=finding) == issue and issue.source == "finding"
