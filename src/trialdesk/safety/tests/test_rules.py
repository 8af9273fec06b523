"""The clock engine as readable tables: an event's facts → the obligations it creates and when each is due.

Expected due dates are counted by hand from the rule's citation (day 0 is the day the clock starts) and
from the public holidays of the jurisdiction (e.g. 4 July and Thanksgiving in the United States).
"""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdesk.interop.json_documents import DocumentError
from trialdesk.safety import event_file
from trialdesk.safety.rules import (
    calendars,
    clocks,
    consistency,
    reportable,
    rulebook,
    statuses,
    timeline,
    windows,
)

NEW_YORK, BERLIN, TOKYO = "America/New_York", "Europe/Berlin", "Asia/Tokyo"
NOTHING_TO_DO = statuses.Recalculation()


def applied(existing: dict[str, str], plan: statuses.Recalculation) -> dict[str, str]:
    """The key → status mapping after `plan`, as services.recalculate_obligations leaves the database
    (test_services.py checks the service against this: created and reopened are open, retired not
    required)."""
    after = dict(existing)
    for obligation in (*plan.create, *plan.reopen):
        after[obligation.key] = statuses.OPEN
    for key in plan.retire:
        after[key] = statuses.NOT_REQUIRED
    return after


def event(policies=(), leave_out=(), **overrides) -> reportable.EventFacts:
    raw = {
        "product": "drug",
        "jurisdictions": ["US", "EU"],
        "serious": True,
        "seriousness": ["hospitalization"],
        "expected": False,
        "related": True,
        "unanticipated_device_effect": False,
        "site_aware_at": "2025-01-20T10:00:00-05:00",
        "sponsor_aware_at": "2025-01-20T18:00:00+01:00",
        "site_timezone": NEW_YORK,
        "sponsor_timezone": BERLIN,
    }
    raw.update(overrides)
    for name in leave_out:
        del raw[name]
    return event_file.parse_event(raw, policies=policies)


def due_by_key(facts) -> dict[str, str]:
    return {o.key: o.due_at.isoformat() for o in clocks.obligations_for(facts)}


# Which obligations an event creates -----------------------------------------------------------------------

WHICH = [
    # (case, facts, expected obligation keys)
    ("non-serious: no expedited obligation at all", dict(serious=False, seriousness=[]), set()),
    (
        "expected serious: no SUSAR report, still site → sponsor",
        dict(expected=True),
        {"PROTOCOL-SAE-SPONSOR"},
    ),
    ("serious, not related: site → sponsor only", dict(related=False), {"PROTOCOL-SAE-SPONSOR"}),
    (
        "SUSAR (hospitalization) in US and EU: 15-day reports",
        {},
        {"PROTOCOL-SAE-SPONSOR", "US-IND-15D", "US-IND-15D-INVESTIGATORS", "EU-SUSAR-15D"},
    ),
    (
        "fatal SUSAR in US and EU: 7-day reports, US 15-day written report (EU follow-up once reported)",
        dict(seriousness=["death"]),
        {"PROTOCOL-SAE-SPONSOR", "US-IND-15D", "US-IND-15D-INVESTIGATORS", "US-IND-7D", "EU-SUSAR-7D"},
    ),
    (
        "fatal SUSAR whose EU 7-day report was made: the complete report follows from that report",
        dict(seriousness=["death"], submitted=[{"key": "EU-SUSAR-7D", "at": "2025-01-22T10:00:00+01:00"}]),
        {
            "PROTOCOL-SAE-SPONSOR",
            "US-IND-15D",
            "US-IND-15D-INVESTIGATORS",
            "US-IND-7D",
            "EU-SUSAR-7D",
            "EU-SUSAR-7D-FOLLOW-UP",
        },
    ),
    (
        "life-threatening SUSAR in UK (before 28 April 2026: MHRA and REC), Canada and Japan",
        dict(jurisdictions=["UK", "CA", "JP"], seriousness=["life_threatening"]),
        {
            "PROTOCOL-SAE-SPONSOR",
            "UK-SUSAR-7D",
            "UK-SUSAR-REC-7D",
            "CA-ADR-7D",
            "JP-ADR-7D",
            "JP-GCP-NOTICE-7D",
        },
    ),
    (
        "the same SUSAR from 28 April 2026 (SI 2025/538): the MHRA only, no REC report",
        dict(
            jurisdictions=["UK"],
            seriousness=["life_threatening"],
            site_aware_at="2026-04-28T09:00:00+01:00",
            sponsor_aware_at="2026-04-28T10:00:00+01:00",
        ),
        {"PROTOCOL-SAE-SPONSOR", "UK-SUSAR-7D"},
    ),
    (
        "Japan: an expected fatal reaction is a 15-day report (Enforcement Regulations art. 273(1))",
        dict(jurisdictions=["JP"], seriousness=["death"], expected=True),
        {"PROTOCOL-SAE-SPONSOR", "JP-KNOWN-FATAL-15D"},
    ),
    (
        "EU MDR: a device deficiency with an imminent risk, 2 days (MDCG 2020-10/1)",
        dict(
            product="device",
            jurisdictions=["EU"],
            serious=False,
            seriousness=[],
            related=False,
            device_deficiency=True,
            imminent_risk=True,
        ),
        {"EU-MDR-DD-2D"},
    ),
    (
        "combination product in the US and EU: drug and device rule sets both apply",
        dict(product="combination", unanticipated_device_effect=True),
        {
            "PROTOCOL-SAE-SPONSOR",
            "US-IND-15D",
            "US-IND-15D-INVESTIGATORS",
            "EU-SUSAR-15D",
            "EU-MDR-SAE-7D",
            "US-IDE-INVESTIGATOR-SPONSOR",
            "US-IDE-INVESTIGATOR-IRB",
            "US-IDE-SPONSOR-FDA",
            "US-IDE-SPONSOR-IRBS",
            "US-IDE-SPONSOR-INVESTIGATORS",
        },
    ),
    (
        "a Swiss site: the investigator's ethics committee and the sponsor's Swissmedic reports",
        dict(jurisdictions=["CH"], site_country="CH", seriousness=["death"]),
        {
            "PROTOCOL-SAE-SPONSOR",
            "CH-SAE-EC-FATAL-7D",
            "CH-SUSAR-EC-7D",
            "CH-SUSAR-SWISSMEDIC-7D",
        },
    ),
    (
        "a German site of a study also in Switzerland: the Swiss rules are for events in Switzerland",
        dict(jurisdictions=["CH", "EU"], site_country="DE", seriousness=["death"]),
        {"PROTOCOL-SAE-SPONSOR", "EU-SUSAR-7D"},
    ),
    (
        "device study: unanticipated adverse device effect, 21 CFR 812.150",
        dict(product="device", jurisdictions=["US"], unanticipated_device_effect=True),
        {
            "PROTOCOL-SAE-SPONSOR",
            "US-IDE-INVESTIGATOR-SPONSOR",
            "US-IDE-INVESTIGATOR-IRB",
            "US-IDE-SPONSOR-FDA",
            "US-IDE-SPONSOR-IRBS",
            "US-IDE-SPONSOR-INVESTIGATORS",
        },
    ),
    (
        "device study, serious but anticipated: no IND or IDE report",
        dict(product="device", jurisdictions=["US"]),
        {"PROTOCOL-SAE-SPONSOR"},
    ),
]


@pytest.mark.parametrize("case, overrides, expected", WHICH, ids=[c[0] for c in WHICH])
def test_obligations_an_event_creates(case, overrides, expected):
    assert {o.key for o in clocks.obligations_for(event(**overrides))} == expected


# When each is due ----------------------------------------------------------------------------------------

WHEN = [
    # (case, facts, obligation key, expected due_at)
    (
        "15 calendar days across a month end (sponsor in Berlin)",
        dict(sponsor_aware_at="2025-01-20T18:00:00+01:00"),
        "US-IND-15D",
        "2025-02-04T23:59:59+01:00",
    ),
    (
        "7 calendar days across a year end",
        dict(seriousness=["death"], sponsor_aware_at="2025-12-28T09:00:00+01:00"),
        "EU-SUSAR-7D",
        "2026-01-04T23:59:59+01:00",
    ),
    (
        "EU complete report: 8 days after the 7-day report was actually made (30 Dec), not after its due day",
        dict(
            seriousness=["death"],
            sponsor_aware_at="2025-12-28T09:00:00+01:00",
            submitted=[{"key": "EU-SUSAR-7D", "at": "2025-12-30T15:00:00+01:00"}],
        ),
        "EU-SUSAR-7D-FOLLOW-UP",
        "2026-01-07T23:59:59+01:00",
    ),
    (
        "awareness late in the evening UTC is the next day in Tokyo: day 0 is the sponsor's local day",
        dict(sponsor_aware_at="2025-03-03T20:00:00+00:00", sponsor_timezone=TOKYO, jurisdictions=["JP"]),
        "JP-ADR-15D",
        "2025-03-19T23:59:59+09:00",
    ),
    (
        "24 hours site → sponsor across the US daylight-saving change (site in New York)",
        dict(site_aware_at="2025-03-08T10:00:00-05:00", sponsor_aware_at="2025-03-08T17:00:00+01:00"),
        "PROTOCOL-SAE-SPONSOR",
        "2025-03-09T11:00:00-04:00",
    ),
    (
        "7 calendar days across the EU daylight-saving change: end of day in summer time",
        dict(seriousness=["death"], sponsor_aware_at="2025-03-25T12:00:00+01:00"),
        "EU-SUSAR-7D",
        "2025-04-01T23:59:59+02:00",
    ),
    (
        "10 working days skip the weekends and Independence Day (Fri 4 July 2025)",
        dict(
            product="device",
            jurisdictions=["US"],
            unanticipated_device_effect=True,
            site_aware_at="2025-06-25T09:00:00-04:00",
            sponsor_aware_at="2025-06-25T16:00:00+02:00",
        ),
        "US-IDE-INVESTIGATOR-IRB",
        "2025-07-10T23:59:59-04:00",
    ),
    (
        "10 working days from a Saturday skip Thanksgiving (Thu 27 November 2025)",
        dict(
            product="device",
            jurisdictions=["US"],
            unanticipated_device_effect=True,
            site_aware_at="2025-11-22T09:00:00-05:00",
            sponsor_aware_at="2025-11-24T09:00:00-05:00",
            sponsor_timezone=NEW_YORK,
        ),
        "US-IDE-INVESTIGATOR-SPONSOR",
        "2025-12-08T23:59:59-05:00",
    ),
    (
        "site → sponsor limit set by the protocol to 48 hours",
        dict(site_to_sponsor_hours=48),
        "PROTOCOL-SAE-SPONSOR",
        "2025-01-22T10:00:00-05:00",
    ),
]


@pytest.mark.parametrize("case, overrides, key, expected", WHEN, ids=[c[0] for c in WHEN])
def test_due_dates(case, overrides, key, expected):
    assert due_by_key(event(**overrides))[key] == expected


def test_site_obligations_are_due_in_the_site_zone_and_sponsor_obligations_in_the_sponsor_zone():
    found = {o.key: o for o in clocks.obligations_for(event())}
    assert found["PROTOCOL-SAE-SPONSOR"].due_at.utcoffset() == dt.timedelta(hours=-5)
    assert found["US-IND-15D"].due_at.utcoffset() == dt.timedelta(hours=1)
    assert found["US-IND-15D"].due_on == dt.date(2025, 2, 4)


def test_committee_policy_counts_working_days_of_its_country():
    policy = rulebook.CommitteePolicy(
        name="CHARITE-EC",
        committee="Ethics committee Charité",
        event_kind="susar",
        clock="working",
        length=5,
        holiday_calendar="DE",
        citation="EC Charité SOP 7.2",
    )
    facts = event(
        jurisdictions=["IRB:CHARITE-EC"],
        policies=["CHARITE-EC"],
        site_timezone=BERLIN,
        site_aware_at="2025-04-16T10:00:00+02:00",
        sponsor_aware_at="2025-04-16T12:00:00+02:00",
    )
    found = {o.key: o for o in clocks.obligations_for(facts, {"CHARITE-EC": policy})}
    # Wed 16 April is day 0; Good Friday 18 and Easter Monday 21 April are German holidays.
    assert found["IRB:CHARITE-EC"].due_on == dt.date(2025, 4, 25)
    assert found["IRB:CHARITE-EC"].recipient == "Ethics committee Charité"


# An event that becomes fatal on follow-up ---------------------------------------------------------------


def test_event_becoming_fatal_on_follow_up_adds_7_day_reports_and_retires_the_15_day_eu_report():
    initial = clocks.obligations_for(event())
    stored = {o.key: statuses.OPEN for o in initial}
    follow_up = event(information=[{"received_at": "2025-01-27T09:00:00+01:00", "seriousness": ["death"]}])
    found = {o.key: o for o in clocks.obligations_for(follow_up)}
    plan = statuses.recalculate(stored, list(found.values()))
    assert {o.key for o in plan.create} == {"US-IND-7D", "EU-SUSAR-7D"}
    # EU CTR art. 42(2)(c) and 21 CFR 312.32(c)(2): 7 days from the information that it is fatal.
    assert found["US-IND-7D"].due_at.isoformat() == "2025-02-03T23:59:59+01:00"
    assert found["US-IND-7D"].day_zero.isoformat() == "2025-01-27T09:00:00+01:00"
    assert found["US-IND-7D"].from_version == 2
    # The 15-day reports keep the day 0 of the information that first made the event reportable.
    assert found["US-IND-15D"].day_zero.isoformat() == "2025-01-20T18:00:00+01:00"
    assert found["EU-SUSAR-15D"].status == statuses.NOT_REQUIRED
    assert plan.retire == ("EU-SUSAR-15D",)
    assert clocks.not_required_reason("EU-SUSAR-15D", follow_up) == (
        "No longer required: the event is fatal or life-threatening."
    )
    after = applied(stored, plan)
    assert statuses.recalculate(after, clocks.obligations_for(follow_up)) == NOTHING_TO_DO


def test_reclassified_as_related_starts_15_days_from_that_information():
    """21 CFR 312.32(c)(1): 15 days after the sponsor determines the information qualifies for reporting."""
    facts = event(
        jurisdictions=["US"],
        related=False,
        information=[{"received_at": "2025-02-10T11:00:00+01:00", "related": True}],
    )
    found = {o.key: o for o in clocks.obligations_for(facts)}
    assert found["US-IND-15D"].day_zero.isoformat() == "2025-02-10T11:00:00+01:00"
    assert found["US-IND-15D"].due_on == dt.date(2025, 2, 25)


def test_significant_follow_up_on_a_report_made_is_its_own_15_day_report():
    """21 CFR 312.32(d)(2): follow-up information within 15 days of receiving it."""
    facts = event(
        jurisdictions=["US"],
        submitted=[{"key": "US-IND-15D", "at": "2025-01-24T10:00:00+01:00"}],
        information=[{"received_at": "2025-02-03T16:00:00+01:00", "significant": True}],
    )
    found = {o.key: o for o in clocks.obligations_for(facts)}
    assert found["US-IND-15D"].status == statuses.MET
    assert found["US-IND-FOLLOW-UP/v2"].due_on == dt.date(2025, 2, 18)
    assert found["US-IND-FOLLOW-UP/v2"].from_version == 2


def test_significant_information_before_the_first_report_goes_into_that_report():
    facts = event(
        jurisdictions=["US"], information=[{"received_at": "2025-01-22T10:00:00+01:00", "significant": True}]
    )
    assert not any(o.key.startswith("US-IND-FOLLOW-UP") for o in clocks.obligations_for(facts))


def test_a_passed_deadline_made_unnecessary_stays_missed_with_its_due_date():
    facts = event(
        jurisdictions=["EU"],
        information=[{"received_at": "2025-02-20T10:00:00+01:00", "expected": True}],
    )
    found = {o.key: o for o in clocks.obligations_for(facts)}
    assert found["EU-SUSAR-15D"].status == statuses.MISSED
    assert (
        "Due 2025-02-04 23:59" in found["EU-SUSAR-15D"].reason
        and "kept as missed" in found["EU-SUSAR-15D"].reason
    )


def test_made_unnecessary_before_its_deadline_is_not_required():
    facts = event(
        jurisdictions=["EU"],
        information=[{"received_at": "2025-01-30T10:00:00+01:00", "expected": True}],
    )
    found = {o.key: o for o in clocks.obligations_for(facts)}
    assert found["EU-SUSAR-15D"].status == statuses.NOT_REQUIRED


@pytest.mark.parametrize(
    "submitted_at, now, expected",
    [
        ("2025-02-04T20:00:00+01:00", None, statuses.MET),
        ("2025-02-05T08:00:00+01:00", None, statuses.MISSED),
        (None, "2025-02-04T12:00:00+01:00", statuses.OPEN),
        (None, "2025-02-05T00:00:01+01:00", statuses.MISSED),
    ],
)
def test_status_of_a_report_met_missed_or_open(submitted_at, now, expected):
    submitted = [{"key": "EU-SUSAR-15D", "at": submitted_at}] if submitted_at else []
    moment = dt.datetime.fromisoformat(now) if now else None
    found = {
        o.key: o for o in clocks.obligations_for(event(jurisdictions=["EU"], submitted=submitted), now=moment)
    }
    assert found["EU-SUSAR-15D"].status == expected


def test_reclassified_as_expected_retires_open_reports_but_keeps_met_ones():
    stored = {
        "PROTOCOL-SAE-SPONSOR": statuses.MET,
        "US-IND-15D": statuses.MET,
        "EU-SUSAR-15D": statuses.OPEN,
    }
    plan = statuses.recalculate(stored, clocks.obligations_for(event(expected=True)))
    assert plan.retire == ("EU-SUSAR-15D",) and not plan.create and not plan.reopen
    assert "the event is expected" in clocks.not_required_reason("EU-SUSAR-15D", event(expected=True))


def test_an_open_obligation_past_its_due_time_is_kept_as_missed_not_retired():
    plan = statuses.recalculate(
        {"EU-SUSAR-15D": statuses.OPEN},
        clocks.obligations_for(event(expected=True)),
        due={"EU-SUSAR-15D": dt.datetime(2025, 2, 4, 23, 59, 59, tzinfo=ZoneInfo(BERLIN))},
        now=dt.datetime(2025, 2, 10, tzinfo=dt.UTC),
    )
    assert plan.missed == ("EU-SUSAR-15D",) and plan.retire == ()


def test_an_obligation_wanted_again_is_reopened():
    plan = statuses.recalculate(
        {"PROTOCOL-SAE-SPONSOR": statuses.OPEN, "US-IND-15D": statuses.NOT_REQUIRED},
        clocks.obligations_for(event(jurisdictions=["US"])),
    )
    assert {o.key for o in plan.reopen} == {"US-IND-15D"}
    assert {o.key for o in plan.create} == {"US-IND-15D-INVESTIGATORS"}


def test_countries_without_rules_are_warned_about_never_silent():
    facts = event(jurisdictions=["US", "MX", "DE"], site_country="AR")
    assert facts.jurisdictions == ("US", "EU")
    assert clocks.warnings_for(facts) == [
        "no reporting rules for MX (Mexico): check its law and report by hand",
        "no reporting rules for AR (Argentina): check its law and report by hand",
    ]


def test_investigator_at_an_eu_site_may_not_take_more_than_24_hours_without_a_protocol_exemption():
    with pytest.raises(DocumentError) as problems:
        event(site_country="DE", site_to_sponsor_hours=48)
    assert [p.path for p in problems.value.problems] == ["site_to_sponsor_hours"]
    exempted = event(site_country="DE", site_to_sponsor_hours=72, protocol_exemption="section 10.3.2")
    found = {o.key: o for o in clocks.obligations_for(exempted)}
    assert found["PROTOCOL-SAE-SPONSOR"].length == 72
    assert "section 10.3.2" in found["PROTOCOL-SAE-SPONSOR"].description
    assert event(site_country="US", site_to_sponsor_hours=48)


# Bad input -----------------------------------------------------------------------------------------------

BAD = [
    # (case, facts, the JSON path of the field named)
    ("unknown jurisdiction", dict(jurisdictions=["US", "MARS"]), "jurisdictions[1]"),
    ("unknown site country", dict(site_country="XX"), "site_country"),
    (
        "information not oldest first",
        dict(information=[{"received_at": "2025-01-19T10:00:00+01:00"}]),
        "information[0].received_at",
    ),
    ("a report without its time", dict(submitted=[{"key": "US-IND-15D"}]), "submitted[0].at"),
    ("unconfigured committee policy", dict(jurisdictions=["IRB:nobody"]), "jurisdictions[0]"),
    ("unknown site time zone", dict(site_timezone="Europe/Atlantis"), "site_timezone"),
    ("unknown sponsor time zone", dict(sponsor_timezone=""), "sponsor_timezone"),
    ("sponsor aware before site", dict(sponsor_aware_at="2025-01-19T10:00:00-05:00"), "sponsor_aware_at"),
    ("awareness without offset", dict(site_aware_at="2025-01-20T10:00:00"), "site_aware_at"),
    ("unknown product", dict(product="vaccine"), "product"),
    ("unknown seriousness criterion", dict(seriousness=["scary"]), "seriousness[0]"),
    ("serious without a criterion", dict(seriousness=[]), "seriousness"),
    ("criterion on a non-serious event", dict(serious=False), "serious"),
    ("expected not a boolean", dict(expected="no"), "expected"),
    ("hours not a whole number", dict(site_to_sponsor_hours=True), "site_to_sponsor_hours"),
    ("a misspelt field", dict(serius=True), "serius"),
    ("a required field left out", dict(leave_out=["related"]), "related"),
]


@pytest.mark.parametrize("case, overrides, field", BAD, ids=[c[0] for c in BAD])
def test_bad_event_is_refused_naming_the_field(case, overrides, field):
    with pytest.raises(DocumentError) as problems:
        event(**overrides)
    assert [p.path for p in problems.value.problems] == [field]


AE_BAD = [
    ("grade 6", dict(grade=6), "grade"),
    ("grade 0", dict(grade=0), "grade"),
    (
        "grade the term does not define",
        dict(grade=5, outcome="fatal", seriousness=["death"], defined_grades=[1, 2, 3]),
        "grade",
    ),
    ("grade 5 without death as outcome", dict(grade=5, outcome="recovering"), "outcome"),
    (
        "fatal without the death criterion",
        dict(outcome="fatal", seriousness=["hospitalization"]),
        "seriousness",
    ),
    ("resolution before onset", dict(resolved_on=dt.date(2025, 1, 9)), "resolved_on"),
    (
        "awareness before onset",
        dict(site_aware_at=dt.datetime(2025, 1, 9, 20, tzinfo=dt.UTC)),
        "site_aware_at",
    ),
    (
        "sponsor aware before site",
        dict(sponsor_aware_at=dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC)),
        "sponsor_aware_at",
    ),
]


@pytest.mark.parametrize("case, overrides, field", AE_BAD, ids=[c[0] for c in AE_BAD])
def test_inconsistent_adverse_event_is_refused_naming_the_field(case, overrides, field):
    values = dict(
        grade=3,
        outcome="recovering",
        seriousness=["hospitalization"],
        onset_on=dt.date(2025, 1, 10),
        resolved_on=None,
        site_aware_at=dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC),
        sponsor_aware_at=dt.datetime(2025, 1, 10, 13, tzinfo=dt.UTC),
        site_zone=ZoneInfo(BERLIN),
    )
    values.update(overrides)
    assert field in consistency.adverse_event_problems(**values)


def test_a_consistent_adverse_event_has_no_problem():
    assert (
        consistency.adverse_event_problems(
            grade=5,
            outcome="fatal",
            seriousness=["death"],
            onset_on=dt.date(2025, 1, 10),
            resolved_on=dt.date(2025, 1, 12),
            site_aware_at=dt.datetime(2025, 1, 10, 12, tzinfo=dt.UTC),
            sponsor_aware_at=None,
            site_zone=ZoneInfo(BERLIN),
            defined_grades=[1, 2, 3, 4, 5],
        )
        == {}
    )


# Jurisdictions, standing and the DSUR -------------------------------------------------------------------


@pytest.mark.parametrize(
    "countries, expected",
    [
        (["US"], ("US",)),
        (["DE", "FR", "NO"], ("EU",)),
        (["GB", "CA", "JP", "US", "IT"], ("US", "EU", "UK", "CA", "JP")),
        (["CH", "AU"], ("AU", "CH")),
        (["MX", "AR"], ()),
    ],
)
def test_jurisdictions_follow_the_countries_of_the_sites(countries, expected):
    assert rulebook.jurisdictions_of_countries(countries) == expected


BERLIN_ZONE = ZoneInfo(BERLIN)
DUE = dt.datetime(2025, 2, 4, 23, 59, 59, tzinfo=BERLIN_ZONE)


@pytest.mark.parametrize(
    "status, submitted_at, now, expected",
    [
        ("open", None, dt.datetime(2025, 2, 4, 12, tzinfo=BERLIN_ZONE), statuses.Standing("open")),
        ("open", None, dt.datetime(2025, 2, 7, 9, tzinfo=BERLIN_ZONE), statuses.Standing("late", 3)),
        (
            "met",
            dt.datetime(2025, 2, 1, tzinfo=BERLIN_ZONE),
            dt.datetime(2025, 3, 1, tzinfo=BERLIN_ZONE),
            statuses.Standing("met"),
        ),
        (
            "missed",
            dt.datetime(2025, 2, 5, 8, tzinfo=BERLIN_ZONE),
            dt.datetime(2025, 3, 1, tzinfo=BERLIN_ZONE),
            statuses.Standing("submitted late", 1),
        ),
        (
            "not_required",
            None,
            dt.datetime(2025, 3, 1, tzinfo=BERLIN_ZONE),
            statuses.Standing("not required"),
        ),
    ],
)
def test_obligation_standing(status, submitted_at, now, expected):
    assert (
        statuses.obligation_standing(
            status=status, due_at=DUE, submitted_at=submitted_at, now=now, zone=BERLIN_ZONE
        )
        == expected
    )


@pytest.mark.parametrize(
    "birth, today, expected",
    [
        # ICH E2F 2.3: the data lock point is the last day of the reporting year, the day before the
        # anniversary of the development international birth date; 2.4: due within 60 days of it.
        (dt.date(2020, 6, 15), dt.date(2025, 3, 1), (dt.date(2025, 6, 14), dt.date(2025, 8, 13))),
        (dt.date(2020, 6, 15), dt.date(2025, 7, 1), (dt.date(2025, 6, 14), dt.date(2025, 8, 13))),
        (dt.date(2020, 6, 15), dt.date(2025, 8, 13), (dt.date(2025, 6, 14), dt.date(2025, 8, 13))),
        (dt.date(2020, 6, 15), dt.date(2025, 8, 14), (dt.date(2026, 6, 14), dt.date(2026, 8, 13))),
        (dt.date(2020, 1, 1), dt.date(2025, 1, 15), (dt.date(2024, 12, 31), dt.date(2025, 3, 1))),
        (dt.date(2024, 2, 29), dt.date(2025, 1, 1), (dt.date(2025, 2, 28), dt.date(2025, 4, 29))),
        (dt.date(2024, 2, 29), dt.date(2027, 5, 1), (dt.date(2028, 2, 28), dt.date(2028, 4, 28))),
    ],
)
def test_dsur_data_lock_point_is_the_last_day_of_the_reporting_year(birth, today, expected):
    assert clocks.dsur_due_on(development_birth_date=birth, today=today) == expected


# Properties ----------------------------------------------------------------------------------------------

ZONES = [NEW_YORK, BERLIN, TOKYO, "Europe/London", "America/Toronto", "Australia/Lord_Howe", "UTC"]
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2030, 12, 31),
    timezones=st.sampled_from([ZoneInfo(z) for z in ZONES]),
)


@st.composite
def facts(draw):
    site_aware = draw(moments)
    # Added in UTC: wall-clock arithmetic across a daylight-saving change could go back in time.
    delay = draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)))
    sponsor_aware = site_aware.astimezone(dt.UTC) + delay
    seriousness = draw(st.lists(st.sampled_from(reportable.SERIOUSNESS), unique=True, max_size=3))
    return event_file.parse_event(
        {
            "product": draw(st.sampled_from(reportable.PRODUCTS)),
            "jurisdictions": draw(st.lists(st.sampled_from(rulebook.JURISDICTIONS), unique=True)),
            "serious": bool(seriousness),
            "seriousness": seriousness,
            "expected": draw(st.booleans()),
            "related": draw(st.booleans()),
            "unanticipated_device_effect": draw(st.booleans()),
            "site_aware_at": site_aware.isoformat(),
            "sponsor_aware_at": sponsor_aware.isoformat(),
            "site_timezone": draw(st.sampled_from(ZONES)),
            "sponsor_timezone": draw(st.sampled_from(ZONES)),
        }
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_due_is_never_before_the_clock_starts(event_facts):
    for obligation in clocks.obligations_for(event_facts):
        assert obligation.due_at >= obligation.starts_at
        assert obligation.due_on == obligation.due_at.date()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts())
def test_working_day_due_dates_never_fall_on_a_weekend_or_holiday(event_facts):
    for obligation in clocks.obligations_for(event_facts):
        if obligation.clock == "working":
            assert obligation.due_on.weekday() < 5
            assert obligation.due_on not in calendars.holiday_dates("US", obligation.due_on.year)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    facts(),
    facts(),
    st.dictionaries(
        st.sampled_from(sorted({r.id for rs in rulebook.rulebook().values() for r in rs})),
        st.sampled_from(statuses.STATUSES),
    ),
)
def test_recalculation_is_idempotent(first, second, stored):
    for event_facts in (first, second):
        wanted = clocks.obligations_for(event_facts)
        stored = applied(stored, statuses.recalculate(stored, wanted))
        assert statuses.recalculate(stored, wanted) == NOTHING_TO_DO
        required = {o.key for o in wanted if o.status != statuses.NOT_REQUIRED}
        assert required <= {k for k, s in stored.items() if s != statuses.NOT_REQUIRED}


@st.composite
def later_information(draw, facts):
    """A piece of information received after everything the facts already hold."""
    after = timeline.latest_moment(facts) + draw(st.timedeltas(dt.timedelta(0), dt.timedelta(days=40)))
    piece = {"received_at": after.isoformat(), "significant": draw(st.booleans())}
    for name in ("expected", "related"):
        if draw(st.booleans()):
            piece[name] = draw(st.booleans())
    if draw(st.booleans()):
        piece["seriousness"] = draw(
            st.lists(st.sampled_from(reportable.SERIOUSNESS), unique=True, max_size=2)
        )
    return piece


def _with(facts, piece):
    return dataclasses.replace(
        facts, information=(*facts.information, event_file.InformationDocument(**piece).information())
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_later_information_never_moves_a_deadline_earlier_than_the_law_allows(data):
    """Appending information never brings an obligation's due time forward, and every due time is at least
    its rule's length after the information that started it (its day 0)."""
    before_facts = data.draw(facts())
    after_facts = _with(before_facts, data.draw(later_information(before_facts)))
    before = {o.key: o for o in clocks.obligations_for(before_facts)}
    for obligation in clocks.obligations_for(after_facts):
        if obligation.key in before:
            assert obligation.due_at >= before[obligation.key].due_at
        zone = obligation.due_at.tzinfo
        if obligation.clock == "calendar":
            start_day = obligation.starts_at.astimezone(zone).date()
            assert obligation.due_on >= start_day + dt.timedelta(days=obligation.length)
        assert obligation.day_zero <= obligation.starts_at


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_missed_obligation_stays_missed(data):
    """Information received after an obligation was missed never makes it anything but missed."""
    before_facts = data.draw(facts())
    piece = data.draw(later_information(before_facts))
    moment = dt.datetime.fromisoformat(piece["received_at"])
    missed = {o.key for o in clocks.obligations_for(before_facts, now=moment) if o.status == statuses.MISSED}
    after = {o.key: o.status for o in clocks.obligations_for(_with(before_facts, piece), now=moment)}
    assert all(after[key] == statuses.MISSED for key in missed)


# Obligation windows: the board, the API's ?window=, the portfolio counts and the feed ----------------------

NOW = dt.datetime(2025, 3, 10, 20, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)
WINDOWS = [
    # (due at, window) at NOW; the windows do not overlap, and each ends where the next begins
    (NOW - dt.timedelta(days=30), windows.Window.OVERDUE),
    (NOW - SECOND, windows.Window.OVERDUE),
    (NOW, windows.Window.NEXT_24H),
    (NOW + dt.timedelta(hours=24) - SECOND, windows.Window.NEXT_24H),
    (NOW + dt.timedelta(hours=24), windows.Window.THIS_WEEK),
    (NOW + dt.timedelta(days=7) - SECOND, windows.Window.THIS_WEEK),
    (NOW + dt.timedelta(days=7), None),
    (NOW + dt.timedelta(days=30), None),
    # The same instant written in another zone is in the same window.
    (dt.datetime(2025, 3, 11, 21, 0, tzinfo=ZoneInfo(TOKYO)), windows.Window.NEXT_24H),
    (dt.datetime(2025, 3, 11, 4, 59, 59, tzinfo=ZoneInfo(TOKYO)), windows.Window.OVERDUE),
]


@pytest.mark.parametrize("due_at, window", WINDOWS, ids=[f"{d.isoformat()}" for d, _ in WINDOWS])
def test_window_of_an_obligation_at_the_boundaries(due_at, window):
    assert windows.window_of(due_at, now=NOW) == window


def test_window_bounds_meet_end_to_start_and_end_at_the_board_horizon():
    overdue, next_24h, this_week = (windows.window_bounds(w, now=NOW) for w in windows.Window)
    assert overdue == (None, NOW)
    assert next_24h == (NOW, NOW + dt.timedelta(hours=24))
    assert this_week == (NOW + dt.timedelta(hours=24), NOW + dt.timedelta(days=7))
    assert windows.board_horizon(NOW) == this_week[1]


def test_window_values_are_the_api_s_window_parameter():
    assert [w.value for w in windows.Window] == ["overdue", "24h", "week"]
