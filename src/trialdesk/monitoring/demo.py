"""The monitoring part of the demo portfolio, loaded after sites, participants, safety and registry.

Every study gets a monitoring plan. The demo CRA (`monitor`, based in Frankfurt) has her sites set up
with geo points, so her on-site visits carry their travel carbon. Visits from before Trialdesk went live
(GO_LIVE days ago) arrive with their reports as transcribed from the previous system, approved and
signed there; newer ones go through the services: one report approved with both electronic signatures,
one submitted waiting for the CRM, one returned with comments, one still a draft. Findings left action
items behind, some overdue, one resolved waiting for the CRA. ONC-301 has a risk register, quality
tolerance limits with a breach (and its issue), and a triaged signal with its for-cause visit planned.
"""

import datetime as dt

from django.db.models import Min
from django.utils import timezone

from trialdesk.core import records
from trialdesk.core.demo import DAY, DEMO_PASSWORD, DemoContext
from trialdesk.core.models import RoleAssignment
from trialdesk.core.roles import Role
from trialdesk.monitoring import services
from trialdesk.monitoring.models import Meaning, ReportSignature, Signal, VisitReport
from trialdesk.monitoring.rules import carbon
from trialdesk.monitoring.rules import reports as report_rules
from trialdesk.monitoring.selectors.qtls import study_qtl_readings
from trialdesk.monitoring.services.reports import content_digest
from trialdesk.sites.models import StudySite
from trialdesk.statistics import kris
from trialdesk.subjects.models import Participant

GO_LIVE = 45  # days ago: visits before were reported in the previous system
HOME_BASE = ("Frankfurt am Main", 50.1109, 8.6821)
# City centres of the demo's institutions (decimal degrees), for the travel to on-site visits.
CITY_POINTS = {
    "Boston": (42.3601, -71.0589),
    "New York": (40.7128, -74.0060),
    "Rochester": (44.0121, -92.4802),
    "Houston": (29.7604, -95.3698),
    "Aurora": (39.7294, -104.8319),
    "Los Angeles": (34.0522, -118.2437),
    "Toronto": (43.6532, -79.3832),
    "Vancouver": (49.2827, -123.1207),
    "São Paulo": (-23.5505, -46.6333),
    "London": (51.5074, -0.1278),
    "Manchester": (53.4808, -2.2426),
    "Berlin": (52.5200, 13.4050),
    "Heidelberg": (49.3988, 8.6724),
    "Munich": (48.1351, 11.5820),
    "Paris": (48.8566, 2.3522),
    "Villejuif": (48.7921, 2.3634),
    "Barcelona": (41.3874, 2.1686),
    "Madrid": (40.4168, -3.7038),
    "Milan": (45.4642, 9.1900),
    "Rome": (41.9028, 12.4964),
    "Amsterdam": (52.3676, 4.9041),
    "Rotterdam": (51.9244, 4.4777),
    "Leuven": (50.8798, 4.7005),
    "Zurich": (47.3769, 8.5417),
    "Vienna": (48.2082, 16.3738),
    "Stockholm": (59.3293, 18.0686),
    "Copenhagen": (55.6761, 12.5683),
    "Gdańsk": (54.3520, 18.6466),
    "Tokyo": (35.6762, 139.6503),
    "Suita": (34.7595, 135.5169),
    "Seoul": (37.5665, 126.9780),
    "Mumbai": (19.0760, 72.8777),
    "Melbourne": (-37.8136, 144.9631),
    "Sydney": (-33.8688, 151.2093),
    "Ramat Gan": (32.0684, 34.8248),
}
ALL_YES = "yes"
# The state the newest visit's report is left in, site by site.
LATEST_REPORTS = ("draft", "submitted", "approved", "returned")


def load(demo: DemoContext) -> None:
    studies = demo.made["studies"]
    for study in studies.values():
        services.create_plan(study=study, by=demo.crm, effective_on=_plan_start(demo, study), reason="")
    sites = _monitored_sites(demo)
    for index, site in enumerate(sites):
        _set_up(demo, site)
        _history(demo, site, latest=LATEST_REPORTS[index % len(LATEST_REPORTS)])
    demo.progress("Monitoring visits and reports")
    if "ONC-301" in studies:
        _quality(demo, studies["ONC-301"])
    demo.summary.append(
        f"monitoring plans for {len(studies)} studies; {len(sites)} sites monitored by the demo CRA"
    )


def _plan_start(demo: DemoContext, study) -> dt.date:
    first = StudySite.objects.filter(study=study, activated_on__isnull=False).aggregate(
        first=Min("activated_on")
    )["first"]
    return min(first or demo.last_actual_day, demo.last_actual_day)


def _monitored_sites(demo: DemoContext) -> list[StudySite]:
    site_ids = RoleAssignment.objects.filter(user=demo.users["monitor"], role=Role.MONITOR).values(
        "study_site_id"
    )
    return list(
        StudySite.objects.filter(pk__in=site_ids)
        .select_related("study", "institution")
        .order_by("study__code", "site_number")
    )


def _set_up(demo: DemoContext, site: StudySite) -> None:
    point = CITY_POINTS.get(site.institution.city)
    distance = carbon.haversine_km(HOME_BASE[1:], point) if point else 0
    mode = "car" if distance < 450 else "rail" if distance < 800 else "air"
    services.save_site_setup(
        study_site=site,
        by=demo.crm,
        cra=demo.users["monitor"],
        site_latitude=point[0] if point else None,
        site_longitude=point[1] if point else None,
        cra_base=HOME_BASE[0],
        cra_base_latitude=HOME_BASE[1],
        cra_base_longitude=HOME_BASE[2],
        travel_mode=mode,
        reason="site assigned to its CRA",
    )


def _visit(demo, site, visit_type: str, day: dt.date, modality: str = "on_site"):
    monitor = demo.users["monitor"]
    visit = services.schedule_visit(
        study_site=site, by=monitor, visit_type=visit_type, modality=modality, planned_on=day
    )
    days = 1 if modality == "on_site" else 0
    return services.move_visit(visit=visit, move="conduct", by=monitor, conducted_on=day, travel_days=days)


def _history(demo: DemoContext, site: StudySite, *, latest: str) -> None:
    """SIV, interim visits every eight weeks since the first participant, the next visit planned."""
    last_day = demo.last_actual_day
    if site.activated_on is None:
        services.schedule_visit(
            study_site=site, by=demo.users["monitor"], visit_type="siv", planned_on=demo.today + 21 * DAY
        )
        return
    visits = [_visit(demo, site, "siv", min(site.activated_on - 7 * DAY, last_day))]
    first = Participant.objects.filter(study_site=site, enrolled_on__isnull=False).aggregate(
        first=Min("enrolled_on")
    )["first"]
    if first is not None:
        day, modality = first + 6 * 7 * DAY, "on_site"
        days = []
        while day <= last_day - 3 * DAY:
            days.append((day, modality))
            day, modality = day + 56 * DAY, "remote" if modality == "on_site" else "on_site"
        for day, modality in days[-3:]:
            visits.append(_visit(demo, site, "imv", day, modality))
    go_live = demo.today - GO_LIVE * DAY
    earlier = visits[:-1]
    for index, visit in enumerate(earlier):
        # The items of the visit before the newest stay open, most of them overdue by now.
        _transcribed_report(
            demo, visit.report, approved=visit.conducted_on < go_live, close_items=index < len(earlier) - 1
        )
    _latest_report(demo, visits[-1].report, latest if len(visits) > 1 else "approved")
    planned = services.schedule_visit(
        study_site=site, by=demo.users["monitor"], visit_type="imv", planned_on=demo.today + 12 * DAY
    )
    services.move_visit(visit=planned, move="confirm", by=demo.users["monitor"])


def _answers(report: VisitReport, *, no: str = "") -> dict:
    found = {}
    for question in report_rules.template(report.visit.visit_type):
        answer = "no" if question.key == no else ALL_YES
        found[question.key] = {
            "answer": answer,
            "comment": "Two participants signed v1.0 after v2.0 was approved" if answer == "no" else "",
        }
    return found


def _fill(demo, report: VisitReport, *, with_findings: bool, due_on: dt.date | None = None) -> VisitReport:
    monitor = demo.users["monitor"]
    consent = "consent_before_procedures" if report.visit.visit_type in ("imv", "for_cause") else ""
    report = services.update_report(
        report=report,
        by=monitor,
        answers=_answers(report, no=consent if with_findings else ""),
        summary="Site well organised; staff engaged.",
    )
    participants = list(Participant.objects.filter(study_site_id=report.study_site_id).order_by("number")[:3])
    for participant in participants:
        services.add_source_review(
            report=report, by=monitor, participant=participant, kind="sdv", critical_data=True
        )
    if with_findings and consent:
        finding = services.add_finding(
            report=report,
            by=monitor,
            category="consent",
            severity="major",
            description="Two participants consented on a superseded consent version.",
        )
        services.add_finding(
            report=report,
            by=monitor,
            category="isf",
            severity="minor",
            description="Delegation log not updated for a new sub-investigator.",
        )
        visit_on = report.visit.conducted_on
        services.raise_action_item(
            study_site=report.study_site,
            by=monitor,
            report=report,
            finding=finding,
            description="Re-consent both participants on the current version and file the signed forms.",
            owner=_site_staff(report.study_site) or monitor,
            owner_party="site",
            due_on=due_on or visit_on + 21 * DAY,
        )
    return report


def _site_staff(site):
    found = (
        RoleAssignment.objects.filter(study_site=site, role__in=(Role.COORDINATOR, Role.INVESTIGATOR))
        .select_related("user")
        .first()
    )
    return found.user if found else None


def _transcribed_report(demo, report: VisitReport, *, approved: bool, close_items: bool) -> None:
    """A report of the previous system: its answers, submitted and approved there on its dates."""
    report = _fill(demo, report, with_findings=True)
    visit_on = report.visit.conducted_on
    submitted = timezone.make_aware(
        dt.datetime.combine(visit_on + 6 * DAY, dt.time(16)), report.study_site.zone
    )
    approved_at = submitted + dt.timedelta(days=4)
    changes = {"status": "approved" if approved else "submitted", "submitted_at": submitted}
    if approved:
        changes["approved_at"] = approved_at
    report = records.update_record(
        report,
        changes=changes,
        by=demo.admin,
        reason="transcribed from the previous CTMS",
        action="transcribed",
    )
    signers = [(demo.users["monitor"], Meaning.AUTHORSHIP, submitted)] + (
        [(demo.crm, Meaning.APPROVAL, approved_at)] if approved else []
    )
    for signer, meaning, when in signers:
        signature = ReportSignature(
            report=report,
            signer=signer,
            printed_name=signer.get_full_name(),
            meaning=meaning,
            signed_at=when,
            report_version=report.version,
            content_sha256=content_digest(report),
            reauthenticated=False,
        )
        records.create_record(signature, by=demo.admin, reason="signed in the previous CTMS; transcribed")
    for item in report.action_items.all():
        if close_items and item.due_on < demo.today - 30 * DAY:
            item = services.move_action_item(
                item=item,
                move="resolve",
                by=demo.users["monitor"],
                resolution="Re-consented; forms filed in the ISF.",
            )
            services.move_action_item(item=item, move="close", by=demo.users["monitor"])


def _latest_report(demo, report: VisitReport, state: str) -> None:
    monitor, crm = demo.users["monitor"], demo.crm
    if state == "draft":
        services.update_report(
            report=report, by=monitor, summary="Draft: source data verification continues."
        )
        return
    report = _fill(demo, report, with_findings=state != "approved", due_on=demo.today + 14 * DAY)
    report = services.submit_report(report=report, by=monitor, password=DEMO_PASSWORD)
    if state == "approved":
        services.approve_report(report=report, by=crm, password=DEMO_PASSWORD)
    elif state == "returned":
        services.return_report(
            report=report,
            by=crm,
            comments="Say which consent version each participant signed, and add the re-consent dates.",
        )
    for item in report.action_items.filter(status="open")[: 1 if state == "returned" else 0]:
        services.move_action_item(
            item=item,
            move="resolve",
            by=_site_staff(report.study_site) or monitor,
            resolution="Both participants re-consented.",
        )


def _quality(demo: DemoContext, study) -> None:
    crm = demo.crm
    for title, category, likelihood, impact, detectability, kri_key, mitigation in (
        (
            "Under-reporting of adverse events at high-enrolling sites",
            "safety",
            2,
            3,
            3,
            "ae_rate",
            "AE KRI reviewed monthly; targeted SDV of AE pages.",
        ),
        (
            "Consent on superseded versions after amendments",
            "population",
            2,
            3,
            2,
            "consent_deviation_rate",
            "Re-consent worklist; consent checked at every IMV.",
        ),
        (
            "Missed week-12 primary endpoint visits",
            "endpoints",
            2,
            3,
            1,
            "missed_visit_rate",
            "Visit reminders; remote visits allowed.",
        ),
        (
            "IP temperature excursions in summer",
            "ip",
            1,
            2,
            2,
            "",
            "Temperature loggers; excursion process trained at SIV.",
        ),
    ):
        services.create_risk(
            study=study,
            by=crm,
            title=title,
            category=category,
            likelihood=likelihood,
            impact=impact,
            detectability=detectability,
            kri_key=kri_key,
            mitigation=mitigation,
            review_on=demo.today + 60 * DAY,
        )
    limits = {
        "important_deviations": (10, 7),
        "early_discontinuation": (15, 10),
        "consent_deviations": (5, 3),
        "screen_failure": (45, 35),
    }
    values = {r.parameter: r.value for r in study_qtl_readings(study)}
    if not any(values.get(p) is not None and values[p] > limit for p, (limit, _) in limits.items()):
        parameter = max(
            (p for p in limits if values.get(p)), key=lambda p: values[p], default="screen_failure"
        )
        value = values.get(parameter) or 1
        limits[parameter] = (max(int(value) - 2, 1), max(int(value) - 4, 0))
    for parameter, (limit, secondary) in limits.items():
        services.create_qtl(
            study=study,
            by=crm,
            parameter=parameter,
            limit=limit,
            secondary_limit=secondary,
            rationale="Historical rate in comparable phase III oncology trials.",
        )
    services.record_qtl_breaches(study=study, by=crm, today=demo.today)
    _triaged_signal(demo, study)


def _triaged_signal(demo: DemoContext, study) -> None:
    monitored = {site.pk for site in _monitored_sites(demo) if site.study_id == study.pk}
    opened = [
        s
        for s in services.open_signals(study=study, by=None, today=demo.today)
        if s.study_site_id in monitored
    ]
    if not opened:
        rows = [
            (result, row)
            for result in kris.all_site_kris(study)
            for row in result.rows
            if row.score is not None and row.site.pk in monitored
        ]
        if not rows:
            return
        result, row = max(rows, key=lambda pair: abs(pair[1].score))
        signal = Signal(
            study=study,
            study_site=row.site,
            kri_key=result.definition.key,
            flag=row.flag or 0,
            score=row.score,
            metric=row.metric,
            opened_on=demo.today - 3 * DAY,
        )
        opened = [records.create_record(signal, by=None, reason=f"flagged: {result.definition.name}")]
    services.triage_signal(
        signal=opened[0],
        by=demo.users["monitor"],
        decision="for_cause_visit",
        rationale="Outlier confirmed on the funnel plot; review source at the site.",
    )
