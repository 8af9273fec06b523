"""The clock engine as readable tables: an event's facts → the obligations it creates and when each is due.

Expected due dates are counted by hand from the rule's citation (day 0 is the day the clock starts) and
from the public holidays of the jurisdiction (e.g. 4 July and Thanksgiving in the United States).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialdesk.interop.json_documents import DocumentError
from trialdesk.safety import event_file
from trialdesk.safety.rules import calendars, clocks, consistency, reportable, rulebook, statuses, windows

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
        "fatal SUSAR in US and EU: 7-day reports, EU follow-up, US 15-day written report",
        dict(seriousness=["death"]),
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
        "life-threatening SUSAR in UK, Canada and Japan",
        dict(jurisdictions=["UK", "CA", "JP"], seriousness=["life_threatening"]),
        {
            "PROTOCOL-SAE-SPONSOR",
            "UK-SUSAR-7D",
            "UK-SUSAR-7D-FOLLOW-UP",
            "UK-SUSAR-REC",
            "CA-ADR-7D",
            "CA-ADR-7D-COMPLETE",
            "JP-ADR-7D",
        },
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
        "EU follow-up: 8 days after the 7-day initial report is due",
        dict(seriousness=["death"], sponsor_aware_at="2025-12-28T09:00:00+01:00"),
        "EU-SUSAR-7D-FOLLOW-UP",
        "2026-01-12T23:59:59+01:00",
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
    follow_up = event(seriousness=["hospitalization", "death"], sponsor_aware_at="2025-01-27T09:00:00+01:00")
    plan = statuses.recalculate(stored, clocks.obligations_for(follow_up))
    assert {o.key for o in plan.create} == {"US-IND-7D", "EU-SUSAR-7D", "EU-SUSAR-7D-FOLLOW-UP"}
    assert {o.key: o.due_at.isoformat() for o in plan.create}["US-IND-7D"] == "2025-02-03T23:59:59+01:00"
    assert plan.retire == ("EU-SUSAR-15D",)
    assert clocks.not_required_reason("EU-SUSAR-15D", follow_up) == (
        "No longer required: the event is fatal or life-threatening."
    )
    after = applied(stored, plan)
    assert statuses.recalculate(after, clocks.obligations_for(follow_up)) == NOTHING_TO_DO


def test_reclassified_as_expected_retires_open_reports_but_keeps_submitted_ones():
    stored = {
        "PROTOCOL-SAE-SPONSOR": statuses.SUBMITTED,
        "US-IND-15D": statuses.SUBMITTED,
        "EU-SUSAR-15D": statuses.OPEN,
    }
    plan = statuses.recalculate(stored, clocks.obligations_for(event(expected=True)))
    assert plan.retire == ("EU-SUSAR-15D",) and not plan.create and not plan.reopen
    assert "the event is expected" in clocks.not_required_reason("EU-SUSAR-15D", event(expected=True))


def test_an_obligation_wanted_again_is_reopened():
    plan = statuses.recalculate(
        {"PROTOCOL-SAE-SPONSOR": statuses.OPEN, "US-IND-15D": statuses.NOT_REQUIRED},
        clocks.obligations_for(event(jurisdictions=["US"])),
    )
    assert {o.key for o in plan.reopen} == {"US-IND-15D"}
    assert {o.key for o in plan.create} == {"US-IND-15D-INVESTIGATORS"}


# Bad input -----------------------------------------------------------------------------------------------

BAD = [
    # (case, facts, the JSON path of the field named)
    ("unknown jurisdiction", dict(jurisdictions=["US", "MARS"]), "jurisdictions[1]"),
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
        (["CH", "AU"], ()),
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
            "submitted",
            dt.datetime(2025, 2, 1, tzinfo=BERLIN_ZONE),
            dt.datetime(2025, 3, 1, tzinfo=BERLIN_ZONE),
            statuses.Standing("submitted"),
        ),
        (
            "submitted",
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
        (dt.date(2020, 6, 15), dt.date(2025, 3, 1), (dt.date(2025, 6, 15), dt.date(2025, 8, 14))),
        (dt.date(2020, 6, 15), dt.date(2025, 7, 1), (dt.date(2025, 6, 15), dt.date(2025, 8, 14))),
        (dt.date(2020, 6, 15), dt.date(2025, 8, 20), (dt.date(2026, 6, 15), dt.date(2026, 8, 14))),
        (dt.date(2024, 2, 29), dt.date(2025, 1, 1), (dt.date(2025, 2, 28), dt.date(2025, 4, 29))),
    ],
)
def test_dsur_is_due_60_days_after_the_birth_date_anniversary(birth, today, expected):
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
        st.sampled_from([statuses.OPEN, statuses.SUBMITTED, statuses.NOT_REQUIRED]),
    ),
)
def test_recalculation_is_idempotent(first, second, stored):
    for event_facts in (first, second):
        wanted = clocks.obligations_for(event_facts)
        stored = applied(stored, statuses.recalculate(stored, wanted))
        assert statuses.recalculate(stored, wanted) == NOTHING_TO_DO
        assert {o.key for o in wanted} <= {k for k, s in stored.items() if s != statuses.NOT_REQUIRED}


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
