"""Objects of the monitoring app for tests/test_scoping_every_route.py, and who may see each.

The sponsor's side of monitoring (plans, set-ups, reports, issues, risks, QTLs, signals) is the study
team's and the site's monitors': site staff do not see it (so study B's is the administrator's alone,
its coordinator aside, who owns an issue there). Visits, findings and action items are shown to the
site's staff too. Source reviews name a participant: sponsor viewers see none.
"""

import datetime as dt


def _people(world):
    from tests.factories import make_user
    from trialdesk.core.roles import Role
    from trialdesk.core.services import assign_role

    monitor_a2 = make_user("monitor_a2")
    assign_role(user=monitor_a2, role=Role.MONITOR, study_site=world.site_a2, by=world.admin)
    monitor_b1 = make_user("monitor_b1")
    assign_role(user=monitor_b1, role=Role.MONITOR, study_site=world.site_b1, by=world.admin)
    return {world.site_a1.pk: world.monitor, world.site_a2.pk: monitor_a2, world.site_b1.pk: monitor_b1}


def _site_records(world, site, cra, participant, owner):
    """A conducted visit with its report, a finding, a source review and an action item at `site`."""
    from trialdesk.monitoring import services

    admin = world.admin
    visit = services.schedule_visit(
        study_site=site, by=admin, visit_type="imv", planned_on=dt.date(2025, 3, 10), cra=cra
    )
    visit = services.move_visit(visit=visit, move="conduct", by=admin, conducted_on=dt.date(2025, 3, 10))
    report = visit.report
    finding = services.add_finding(
        report=report, by=admin, category="consent", severity="major", description="ICF v2 not signed"
    )
    review = (
        services.add_source_review(report=report, by=admin, participant=participant, kind="sdv")
        if participant
        else None
    )
    item = services.raise_action_item(
        study_site=site,
        by=admin,
        report=report,
        finding=finding,
        description="Re-consent",
        owner=owner,
        due_on=dt.date(2031, 1, 31),
    )
    planned = services.schedule_visit(
        study_site=site, by=admin, visit_type="imv", planned_on=dt.date(2031, 5, 1), cra=cra
    )
    return visit, planned, report, finding, review, item


def _signal(world, site):
    from trialdesk.core.records import create_record
    from trialdesk.monitoring.models import Signal

    signal = Signal(
        study=site.study,
        study_site=site,
        kri_key="ae_rate",
        flag=2,
        score=3.4,
        metric=0.05,
        opened_on=dt.date(2025, 3, 1),
    )
    return create_record(signal, by=world.admin)


def scoping_cases(world, participant_a1, participant_b1, *, on_a1, on_a_not_a1, study_wide, on_b) -> dict:
    """{path parameter name: [Case, …]} for this app's routes."""
    from tests.factories import make_participant
    from tests.test_scoping_every_route import SUBJECT_SECRETS, Case
    from trialdesk.monitoring import services

    admin = world.admin
    cras = _people(world)
    plans = {
        study.pk: services.create_plan(study=study, by=admin, effective_on=dt.date(2025, 1, 1))
        for study in (world.study_a, world.study_b)
    }
    participant_a2 = make_participant(world.site_a2, "102-952", by=admin)
    SUBJECT_SECRETS["102-952"] = on_a_not_a1 - {"sponsor_viewer"}
    records = {
        "a1": _site_records(world, world.site_a1, world.monitor, participant_a1, world.monitor),
        "a2": _site_records(
            world, world.site_a2, cras[world.site_a2.pk], participant_a2, cras[world.site_a2.pk]
        ),
        "b1": _site_records(world, world.site_b1, cras[world.site_b1.pk], participant_b1, world.coordinator),
    }
    sponsor = {"a1": on_a1, "a2": on_a_not_a1, "b1": frozenset({"admin"})}
    everyone = {"a1": on_a1, "a2": on_a_not_a1, "b1": on_b}
    issues = {
        "a1": services.raise_issue(
            study=world.study_a,
            by=admin,
            study_site=world.site_a1,
            title="Consent",
            category="consent",
            severity="major",
            owner=world.crm,
            due_on=dt.date(2031, 1, 1),
        ),
        "a2": services.raise_issue(
            study=world.study_a,
            by=admin,
            study_site=world.site_a2,
            title="Consent",
            category="consent",
            severity="major",
            owner=world.crm,
            due_on=dt.date(2031, 1, 1),
        ),
        "b1": services.raise_issue(
            study=world.study_b,
            by=admin,
            study_site=world.site_b1,
            title="IP",
            category="ip",
            severity="minor",
            owner=world.coordinator,
            due_on=dt.date(2031, 1, 1),
        ),
    }
    signals = {
        key: _signal(world, site)
        for key, site in (("a1", world.site_a1), ("a2", world.site_a2), ("b1", world.site_b1))
    }
    risk = {
        s.pk: services.create_risk(
            study=s,
            by=admin,
            title="Under-reported AEs",
            category="safety",
            likelihood=2,
            impact=3,
            detectability=3,
            review_on=dt.date(2031, 1, 1),
        )
        for s in (world.study_a, world.study_b)
    }
    qtl = {
        s.pk: services.create_qtl(
            study=s, by=admin, parameter="early_discontinuation", limit=15, secondary_limit=10
        )
        for s in (world.study_a, world.study_b)
    }
    a, b = world.study_a.pk, world.study_b.pk

    def each(index, visible, label, sites=("a1", "a2", "b1")):
        found = []
        for key in sites:
            record = records[key][index]
            if record is not None:
                found.append(Case(f"{label} at {key.upper()}", record.pk, visible[key]))
        return found

    return {
        "monitoring_plan_id": [
            Case("plan of A", plans[a].pk, study_wide),
            Case("plan of B", plans[b].pk, frozenset({"admin"})),
        ],
        "monitoring_visit_id": each(0, everyone, "a conducted visit") + each(1, everyone, "a planned visit"),
        "visit_report_id": each(2, sponsor, "a visit report"),
        "finding_id": each(3, everyone, "a finding"),
        "source_review_id": [
            Case("a source review at A1", records["a1"][4].pk, on_a1 - {"sponsor_viewer"}),
            Case("a source review at A2", records["a2"][4].pk, on_a_not_a1 - {"sponsor_viewer"}),
            Case("a source review at B1", records["b1"][4].pk, frozenset({"admin"})),
        ],
        "action_item_id": each(5, everyone, "an action item"),
        "issue_id": [
            Case("an issue at A1", issues["a1"].pk, on_a1),
            Case("an issue at A2", issues["a2"].pk, on_a_not_a1),
            Case("an issue at B1 its coordinator owns", issues["b1"].pk, frozenset({"admin", "coordinator"})),
        ],
        "risk_id": [
            Case("a risk of A", risk[a].pk, study_wide),
            Case("a risk of B", risk[b].pk, frozenset({"admin"})),
        ],
        "qtl_id": [
            Case("a QTL of A", qtl[a].pk, study_wide),
            Case("a QTL of B", qtl[b].pk, frozenset({"admin"})),
        ],
        "signal_id": [
            Case("a signal at A1", signals["a1"].pk, on_a1),
            Case("a signal at A2", signals["a2"].pk, on_a_not_a1),
            Case("a signal at B1", signals["b1"].pk, frozenset({"admin"})),
        ],
    }


# (METHOD, path) of every API route this app publishes; tests/test_api_contract.py checks the set both ways.
API_ROUTES: set[tuple[str, str]] = {
    ("GET", "/api/v1/studies/{study_id}/monitoring-plans"),
    ("POST", "/api/v1/studies/{study_id}/monitoring-plans"),
    ("GET", "/api/v1/monitoring-plans/{monitoring_plan_id}"),
    ("GET", "/api/v1/monitoring-setups/{study_site_id}"),
    ("PUT", "/api/v1/monitoring-setups/{study_site_id}"),
    ("GET", "/api/v1/studies/{study_id}/monitoring-due"),
    ("GET", "/api/v1/studies/{study_id}/monitoring-oversight"),
    ("GET", "/api/v1/studies/{study_id}/monitoring-carbon"),
    ("POST", "/api/v1/monitoring/carbon-estimates"),
    ("GET", "/api/v1/studies/{study_id}/monitoring-visits"),
    ("POST", "/api/v1/studies/{study_id}/monitoring-visits"),
    ("GET", "/api/v1/monitoring-visits/{monitoring_visit_id}"),
    ("PATCH", "/api/v1/monitoring-visits/{monitoring_visit_id}"),
    ("POST", "/api/v1/monitoring-visits/{monitoring_visit_id}/transition"),
    ("GET", "/api/v1/visit-reports/{visit_report_id}"),
    ("PATCH", "/api/v1/visit-reports/{visit_report_id}"),
    ("POST", "/api/v1/visit-reports/{visit_report_id}/submit"),
    ("POST", "/api/v1/visit-reports/{visit_report_id}/approve"),
    ("POST", "/api/v1/visit-reports/{visit_report_id}/return"),
    ("GET", "/api/v1/visit-reports/{visit_report_id}/findings"),
    ("POST", "/api/v1/visit-reports/{visit_report_id}/findings"),
    ("GET", "/api/v1/findings/{finding_id}"),
    ("PATCH", "/api/v1/findings/{finding_id}"),
    ("POST", "/api/v1/findings/{finding_id}/deviation"),
    ("GET", "/api/v1/visit-reports/{visit_report_id}/source-reviews"),
    ("POST", "/api/v1/visit-reports/{visit_report_id}/source-reviews"),
    ("DELETE", "/api/v1/source-reviews/{source_review_id}"),
    ("GET", "/api/v1/studies/{study_id}/action-items"),
    ("POST", "/api/v1/studies/{study_id}/action-items"),
    ("GET", "/api/v1/action-items/{action_item_id}"),
    ("PATCH", "/api/v1/action-items/{action_item_id}"),
    ("POST", "/api/v1/action-items/{action_item_id}/transition"),
    ("GET", "/api/v1/studies/{study_id}/issues"),
    ("POST", "/api/v1/studies/{study_id}/issues"),
    ("GET", "/api/v1/issues/{issue_id}"),
    ("PATCH", "/api/v1/issues/{issue_id}"),
    ("POST", "/api/v1/issues/{issue_id}/transition"),
    ("GET", "/api/v1/studies/{study_id}/risks"),
    ("POST", "/api/v1/studies/{study_id}/risks"),
    ("GET", "/api/v1/risks/{risk_id}"),
    ("PATCH", "/api/v1/risks/{risk_id}"),
    ("GET", "/api/v1/studies/{study_id}/qtls"),
    ("POST", "/api/v1/studies/{study_id}/qtls"),
    ("GET", "/api/v1/qtls/{qtl_id}"),
    ("PATCH", "/api/v1/qtls/{qtl_id}"),
    ("GET", "/api/v1/studies/{study_id}/qtl-status"),
    ("POST", "/api/v1/studies/{study_id}/qtl-status/issues"),
    ("GET", "/api/v1/studies/{study_id}/signals"),
    ("POST", "/api/v1/studies/{study_id}/signals/check"),
    ("GET", "/api/v1/signals/{signal_id}"),
    ("POST", "/api/v1/signals/{signal_id}/triage"),
    ("POST", "/api/v1/signals/{signal_id}/close"),
}
# Path parameter names this app's API routes use (each needs cases in scoping_cases).
PATH_PARAMETERS: set[str] = {
    "study_id",
    "study_site_id",
    "monitoring_plan_id",
    "monitoring_visit_id",
    "visit_report_id",
    "finding_id",
    "source_review_id",
    "action_item_id",
    "issue_id",
    "risk_id",
    "qtl_id",
    "signal_id",
}
