"""The safety part of the demo portfolio, loaded after studies, sites and participants exist.

ONC-301 (a US IND as well as its sites' countries, sponsor in New York) has a life-threatening SUSAR
reported two days ago with the site → sponsor report and its first 7-day report made, so the complete
report (8 days after that report) is a follow-up due this week; and an older SUSAR whose 15-day reports
are overdue, one of them made a day late (missed, kept on the board's record). ONC-102 has an expected
serious event (site → sponsor only, submitted) and a non-serious one, and no sponsor time zone: its
safety tab and the board warn. NEURO-302 (else ONC-102) has a serious event the site learnt of this
morning, its 24-hour report still open. So the obligations board and the portfolio counts of the demo
`crm` and `safety` logins show something overdue, something due within 24 hours and this week.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from trialdesk.core.demo import DemoContext
from trialdesk.people.models import DelegationEntry
from trialdesk.safety import services
from trialdesk.safety.models import ReportingObligation
from trialdesk.studies.models import Study
from trialdesk.subjects.models import Participant

DAY = dt.timedelta(days=1)


def _participant(study: Study, skip: int = 0) -> Participant | None:
    """An enrolled participant at a site not keeping a delegation log (so causality may be recorded)."""
    logged = DelegationEntry.objects.values("study_site_id")
    found = (
        Participant.objects.filter(study=study, status="enrolled")
        .exclude(study_site_id__in=logged)
        .select_related("study_site__institution")
        .order_by("study_site__site_number", "number")
    )
    return found[skip : skip + 1].first() if found.exists() else None


def _aware(participant: Participant, days_ago: int, hour: int) -> dt.datetime:
    zone = ZoneInfo(participant.study_site.institution.time_zone)
    now = timezone.now()
    moment = dt.datetime.combine(now.astimezone(zone).date() - days_ago * DAY, dt.time(hour), tzinfo=zone)
    return min(moment, now - dt.timedelta(hours=1))


def _record(participant, *, by, days_ago: int, hour: int = 10, **values):
    aware = _aware(participant, days_ago, hour)
    values.setdefault("onset_on", aware.date() - DAY)
    # six hours after the site, but never after now (an event recorded early in the site's day)
    values.setdefault(
        "sponsor_aware_at", min(aware + dt.timedelta(hours=6), timezone.now() - dt.timedelta(minutes=30))
    )
    return services.record_adverse_event(participant=participant, by=by, site_aware_at=aware, **values)


def _submit(event, key: str, *, by, hours_after_start: int, reference: str) -> None:
    obligation = ReportingObligation.objects.get(adverse_event=event, key=key)
    services.mark_submitted(
        obligation=obligation,
        by=by,
        submitted_at=obligation.starts_at + dt.timedelta(hours=hours_after_start),
        reference_number=reference,
    )


# First reports whose complete report runs from the report actually made (EU, UK, Canada, Australia, China).
WITH_COMPLETE_REPORT = ("EU-SUSAR-7D", "UK-SUSAR-7D", "CA-ADR-7D", "AU-SUSAR-7D", "CN-SUSAR-7D")


def _first_report_with_follow_up(event, *, by) -> None:
    """Make the first 7-day report that has a complete report after it, so that follow-up is due."""
    keys = set(ReportingObligation.objects.filter(adverse_event=event).values_list("key", flat=True))
    for key in WITH_COMPLETE_REPORT:
        if key in keys:
            _submit(event, key, by=by, hours_after_start=5, reference=f"{key}-0001")
            return


def _late_report(event, *, by) -> None:
    """One of the older SUSAR's 15-day reports made a day after it was due: missed, on record."""
    obligation = (
        ReportingObligation.objects.filter(adverse_event=event, status="open", reporting_party="sponsor")
        .order_by("key")
        .first()
    )
    if obligation is not None:
        services.mark_submitted(
            obligation=obligation,
            by=by,
            submitted_at=obligation.due_at + dt.timedelta(days=1),
            reference_number="LATE-0001",
            reason="demo: reported a day late",
        )


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    crm = users["crm"]
    studies = {s.code: s for s in Study.objects.filter(code__in=("ONC-301", "ONC-102", "NEURO-302"))}
    if "ONC-301" in studies:
        _onc_301(studies["ONC-301"], crm=crm, today=today)
    if "ONC-102" in studies:
        _onc_102(studies["ONC-102"], crm=crm)
    # The fresh SAE goes to the first of these with an enrolled participant (NEURO-302 may have none yet).
    for code in ("NEURO-302", "ONC-102"):
        if code in studies and _fresh_serious_event(studies[code], crm=crm):
            break


def _onc_301(study: Study, *, crm, today: dt.date) -> None:
    services.save_safety_settings(
        study=study,
        by=crm,
        sponsor_country="US",
        sponsor_time_zone="America/New_York",
        extra_jurisdictions=["US"],
        development_birth_date=today.replace(year=today.year - 3) - 20 * DAY,
        reason="demo: IND sponsor in New York",
    )
    rsi = services.add_reference_safety_information(
        study=study, by=crm, label="IB v6.0 section 7.3", effective_on=today - 200 * DAY
    )
    services.add_committee_policy(
        study=study,
        by=crm,
        name="CENTRAL-IRB",
        committee="Central IRB",
        event_kind="unanticipated_problem",
        clock="working",
        length=5,
        holiday_calendar="US",
        citation="45 CFR 46.108(a)(4)(i); Central IRB SOP 12",
    )
    first, second = _participant(study), _participant(study, skip=1)
    if first is None:
        return
    common = dict(reference_safety_information=rsi, action_taken="interrupted", by=crm)
    recent = _record(
        first,
        days_ago=2,
        verbatim_term="acute pneumonitis needing oxygen",
        ctcae_term="Pneumonitis",
        grade=4,
        seriousness=["life_threatening", "hospitalization"],
        causality="probably",
        expected=False,
        outcome="recovering",
        **common,
    )
    _submit(recent, "PROTOCOL-SAE-SPONSOR", by=crm, hours_after_start=3, reference="SAE-301-0001")
    _first_report_with_follow_up(recent, by=crm)
    if second is not None:
        older = _record(
            second,
            days_ago=21,
            verbatim_term="febrile neutropenia after cycle 2",
            ctcae_term="Febrile neutropenia",
            grade=3,
            seriousness=["hospitalization"],
            causality="possibly",
            expected=False,
            outcome="recovered",
            resolved_on=_aware(second, 14, 10).date(),
            **common,
        )
        _late_report(older, by=crm)


def _onc_102(study: Study, *, crm) -> None:
    participant = _participant(study)
    if participant is None:
        return
    expected = _record(
        participant,
        by=crm,
        days_ago=9,
        verbatim_term="vomiting, admitted for IV fluids",
        ctcae_term="Vomiting",
        grade=3,
        seriousness=["hospitalization"],
        causality="probably",
        expected=True,
        outcome="recovered",
        resolved_on=_aware(participant, 7, 10).date(),
        action_taken="dose_reduced",
    )
    _submit(expected, "PROTOCOL-SAE-SPONSOR", by=crm, hours_after_start=20, reference="SAE-102-0001")
    _record(
        participant,
        by=crm,
        days_ago=5,
        verbatim_term="tired",
        ctcae_term="Fatigue",
        grade=1,
        seriousness=[],
        causality="possibly",
        expected=True,
        outcome="recovering",
        action_taken="dose_not_changed",
    )


def _fresh_serious_event(study: Study, *, crm) -> bool:
    participant = _participant(study, skip=1) or _participant(study)
    if participant is None:
        return False
    _record(
        participant,
        by=crm,
        days_ago=0,
        hour=7,
        verbatim_term="seizure, admitted overnight",
        ctcae_term="Seizure",
        grade=3,
        seriousness=["hospitalization"],
        causality="",
        expected=None,
        outcome="recovering",
        action_taken="interrupted",
    )
    return True


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)
