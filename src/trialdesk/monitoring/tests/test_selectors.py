"""Reads of monitoring: who sees what (as sentences), the visits due, tiers from KRI flags and issues,
oversight and carbon totals, each in a fixed number of queries."""

import datetime as dt

import pytest

from trialdesk.core.records import create_record
from trialdesk.monitoring import selectors, services
from trialdesk.monitoring.models import Issue, VisitReport
from trialdesk.monitoring.selectors.carbon import carbon_totals
from trialdesk.monitoring.selectors.due import due_visits
from trialdesk.monitoring.selectors.oversight import by_cra, site_oversight
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.monitoring.selectors.tiers import study_site_tiers
from trialdesk.monitoring.tests import factories as f
from trialdesk.safety.tests.factories import make_adverse_event
from trialdesk.sites.models import StudySite

pytestmark = pytest.mark.django_db


def test_the_coordinator_of_a_site_sees_its_visits_and_action_items_but_not_its_reports(world):
    coordinator = f.coordinator_at(world, world.site_a1)
    report = f.conducted(world).report
    item = services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        report=report,
        description="x",
        owner=coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    assert selectors.visits_for(coordinator).filter(pk=report.visit_id).exists()
    assert selectors.action_items_for(coordinator).filter(pk=item.pk).exists()
    assert not selectors.reports_for(coordinator).exists()
    assert selectors.reports_for(world.monitor).filter(pk=report.pk).exists()
    assert selectors.reports_for(world.sponsor_viewer).filter(pk=report.pk).exists()


def test_the_sponsor_viewer_reads_reports_but_not_who_was_source_verified(world):
    participant = f.enrolled(world, world.site_a1, "101-001")
    report = f.conducted(world).report
    services.add_source_review(report=report, by=world.monitor, participant=participant)
    assert selectors.source_reviews_for(world.monitor).count() == 1
    assert selectors.source_reviews_for(world.auditor).count() == 1
    assert selectors.source_reviews_for(world.sponsor_viewer).count() == 0


def test_the_monitor_of_site_101_sees_nothing_of_site_102s_reports(world):
    from tests.factories import make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role

    cra = make_user("cra_tokyo")
    assign_role(user=cra, role=Role.MONITOR, study_site=world.site_a2, by=world.admin)
    report = f.conducted(world, site=world.site_a2, by=cra).report
    assert not selectors.reports_for(world.monitor).filter(pk=report.pk).exists()
    assert selectors.reports_for(world.crm).filter(pk=report.pk).exists()


def test_an_issue_owned_by_a_coordinator_is_theirs_to_see(world):
    coordinator = f.coordinator_at(world, world.site_a1)
    mine = services.raise_issue(
        study=world.study_a,
        by=world.crm,
        study_site=world.site_a1,
        title="x",
        category="ip",
        severity="minor",
        owner=coordinator,
        due_on=dt.date(2031, 1, 1),
    )
    services.raise_issue(
        study=world.study_a,
        by=world.crm,
        title="y",
        category="ip",
        severity="minor",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    assert list(selectors.issues_for(coordinator)) == [mine]
    assert selectors.issues_for(world.admin).count() == 2


def test_a_red_ae_flag_and_open_issues_raise_a_sites_tier(world):
    """Nine sites with a few AEs each and one with many: gsm's AE rate flags the outlier red."""
    from tests.factories import make_site

    sites = [world.site_a1] + [make_site(world.study_a, str(110 + i), by=world.admin) for i in range(8)]
    for index, site in enumerate(sites):
        for n in range(5):
            participant = f.enrolled(world, site, f"{site.site_number}-{n}", on=dt.date(2024, 1, 1))
            for _ in range(12 if index == 0 else 1):
                make_adverse_event(participant, by=world.admin)
    tiers = study_site_tiers(world.study_a)
    assert tiers[world.site_a1.pk].tier in ("medium", "high")
    assert any("Adverse event rate" in reason for reason in tiers[world.site_a1.pk].reasons)
    services.raise_issue(
        study=world.study_a,
        by=world.crm,
        study_site=world.site_a1,
        title="AEs",
        category="safety",
        severity="major",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    assert study_site_tiers(world.study_a)[world.site_a1.pk].tier == "high"


def test_due_visits_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    from tests.factories import make_site

    f.plan(world)
    for i in range(6):
        site = f.enrolling(world, make_site(world.study_a, str(120 + i), by=world.admin))
        f.enrolled(world, site, f"{120 + i}-1")
    sites = list(StudySite.objects.filter(study=world.study_a).select_related("study", "institution"))
    tiers = study_site_tiers(world.study_a)
    with django_assert_max_num_queries(8):
        found = due_visits(sites, tiers=tiers)
    assert {d.visit_type for d in found} >= {"siv", "qualification"}


def test_a_for_cause_visit_decided_at_triage_is_due_on_its_planned_day(world):
    from trialdesk.monitoring.models import Signal

    f.plan(world)
    f.set_up(world)
    signal = create_record(
        Signal(
            study=world.study_a,
            study_site=world.site_a1,
            kri_key="ae_rate",
            flag=2,
            score=3.0,
            opened_on=dt.date(2025, 5, 1),
        ),
        by=None,
    )
    services.triage_signal(signal=signal, by=world.monitor, decision="for_cause_visit")
    found = [
        d
        for d in due_visits(
            [StudySite.objects.select_related("study", "institution").get(pk=world.site_a1.pk)]
        )
        if d.visit_type == "for_cause"
    ]
    assert len(found) == 1 and found[0].reason.startswith("for-cause: Signal #")


def test_qtl_readings_count_participants_not_deviations(world):
    from trialdesk.visits import services as visit_services

    one = f.enrolled(world, world.site_a1, "101-001")
    f.enrolled(world, world.site_a1, "101-002")
    for _ in range(2):
        visit_services.create_deviation(
            study=world.study_a,
            by=world.admin,
            study_site=world.site_a1,
            participant=one,
            category="consent",
            important=True,
            description="x",
            occurred_on=dt.date(2025, 3, 1),
            identified_on=dt.date(2025, 3, 2),
        )
    readings = {r.parameter: r for r in study_qtl_readings(world.study_a)}
    assert (readings["important_deviations"].value, readings["consent_deviations"].value) == (50.0, 50.0)
    assert readings["screen_failure"].value is None and readings["missed_primary_endpoint"].value is None


def test_oversight_per_site_and_per_cra(world, django_assert_max_num_queries):
    f.plan(world)
    f.set_up(world)
    f.enrolling(world)
    participant = f.enrolled(world, world.site_a1, "101-001", on=dt.date(2025, 1, 10))
    f.enrolled(world, world.site_a1, "101-002", on=dt.date(2025, 1, 20))
    report = f.answered(f.conducted(world, day=dt.date(2025, 3, 10)).report, by=world.monitor)
    services.add_source_review(report=report, by=world.monitor, participant=participant, critical_data=True)
    services.raise_action_item(
        study_site=world.site_a1,
        by=world.monitor,
        report=report,
        description="x",
        owner=world.monitor,
        due_on=dt.date(2025, 3, 20),
    )
    sites = list(
        StudySite.objects.filter(study=world.study_a)
        .select_related("study", "institution")
        .order_by("site_number")
    )
    with django_assert_max_num_queries(40):
        rows = site_oversight(sites)
    a1 = rows[0]
    assert (a1.visits_done, a1.enrolled, a1.sdv_coverage, a1.critical_coverage, a1.items_overdue) == (
        1,
        2,
        50.0,
        50.0,
        1,
    )
    assert a1.cra == "monitor_mia" and a1.sdv_target == 20 and a1.kg_co2e > 0
    cras = by_cra(rows)
    assert [c.label for c in cras] == ["monitor_mia", "no CRA assigned"] and cras[0].sites == 1


def test_carbon_totals_and_what_remote_would_have_saved(world):
    f.set_up(world)
    on_site = f.conducted(world, day=dt.date(2025, 3, 10))
    f.conducted(world, day=dt.date(2025, 4, 10), modality="remote")
    totals = carbon_totals(
        selectors.visits_for(world.crm).filter(study=world.study_a),
        remote_allowed_site_ids={world.site_a1.pk},
    )
    assert (totals.total.on_site, totals.total.remote) == (1, 1)
    assert totals.total.kg_co2e == on_site.kg_co2e == totals.total.remote_instead_kg
    assert [line.label for line in totals.by_cra] == ["monitor_mia"]
    nothing_saved = carbon_totals(selectors.visits_for(world.crm), remote_allowed_site_ids=set())
    assert nothing_saved.total.remote_instead_kg == 0


def test_reports_are_due_in_the_sites_working_days(world):
    f.plan(world, report_due_working_days=3)
    report = VisitReport.objects.get(visit=f.conducted(world, day=dt.date(2025, 4, 16)))
    assert report.due_on == dt.date(2025, 4, 23)  # Berlin: Good Friday and Easter Monday skipped


def test_issue_numbers_run_per_study(world):
    a = services.raise_issue(
        study=world.study_a,
        by=world.crm,
        title="x",
        category="ip",
        severity="minor",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    b = services.raise_issue(
        study=world.study_a,
        by=world.crm,
        title="y",
        category="ip",
        severity="minor",
        owner=world.crm,
        due_on=dt.date(2031, 1, 1),
    )
    assert (a.number, b.number, str(b)) == (1, 2, "ISS-0002") and Issue.objects.count() == 2


def test_site_staff_see_the_report_events_at_their_site_without_their_values(world):
    from trialdesk.core import extensions
    from trialdesk.core.models import AuditEvent

    coordinator = f.coordinator_at(world, world.site_a1)
    services.update_report(
        report=f.conducted(world).report, by=world.monitor, summary="Confidential assessment"
    )
    events = AuditEvent.objects.visible_to(coordinator).filter(object_type="monitoring.visitreport")
    masked = list(extensions.mask_audit_events(events, coordinator))
    assert masked and "Confidential assessment" not in str([e.changes for e in masked])
    team = list(
        extensions.mask_audit_events(
            AuditEvent.objects.filter(object_type="monitoring.visitreport"), world.crm
        )
    )
    assert "Confidential assessment" in str([e.changes for e in team])
