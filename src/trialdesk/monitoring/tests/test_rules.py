"""The monitoring rules as tables (input → expected), each row a sentence a CRA or CRM could check, plus
hypothesis where the space is large. Expected dates are counted by hand; distances come from published
values (cited at each test)."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.monitoring.rules import actions, carbon, oversight, quality, reports, schedule, tiers, visits

D = dt.date


# When the next visit is due (rules.schedule) -------------------------------------------------------------

PLAN = schedule.PlanSchedule(
    first_imv_weeks=6,
    cov_within_days=30,
    qualification_required=True,
    tiers={
        "high": schedule.TierSchedule(28, "on_site"),
        "medium": schedule.TierSchedule(56, "alternating"),
        "low": schedule.TierSchedule(84, "remote"),
    },
)
TODAY = D(2025, 6, 2)


def history(**values) -> schedule.SiteHistory:
    return schedule.SiteHistory(**{"status": "enrolling", "tier": "medium", "today": TODAY, **values})


DUE_TABLE = [
    # (what the site is and has had, expected (type, modality, due on) or None)
    (
        "under feasibility, planned activation 1 Sep: qualification 8 weeks before",
        history(status="under_feasibility", planned_activation_on=D(2025, 9, 1)),
        ("qualification", "on_site", D(2025, 7, 7)),
    ),
    (
        "identified without a planned activation: qualification today",
        history(status="identified"),
        ("qualification", "on_site", TODAY),
    ),
    (
        "under feasibility, qualification done: nothing yet",
        history(status="under_feasibility", done={"qualification": D(2025, 5, 1)}),
        None,
    ),
    (
        "start-up, activation planned 20 Jun: SIV by then",
        history(status="start_up", planned_activation_on=D(2025, 6, 20)),
        ("siv", "on_site", D(2025, 6, 20)),
    ),
    (
        "start-up, SIV done: waits for activation",
        history(status="start_up", done={"siv": D(2025, 5, 20)}),
        None,
    ),
    (
        "activated on 1 May without an SIV: SIV overdue since activation",
        history(status="activated", activated_on=D(2025, 5, 1)),
        ("siv", "on_site", D(2025, 5, 1)),
    ),
    (
        "activated, SIV done, nobody enrolled yet: nothing",
        history(status="activated", done={"siv": D(2025, 4, 1)}),
        None,
    ),
    (
        "first participant 14 Apr: first IMV 6 weeks later, on site",
        history(done={"siv": D(2025, 4, 1)}, first_enrolled_on=D(2025, 4, 14)),
        ("imv", "on_site", D(2025, 5, 26)),
    ),
    (
        "medium tier, last IMV on site 5 May: next in 56 days, remote (alternating)",
        history(
            done={"siv": D(2025, 4, 1)},
            first_enrolled_on=D(2025, 4, 1),
            last_interim=(D(2025, 5, 5), "on_site"),
        ),
        ("imv", "remote", D(2025, 6, 30)),
    ),
    (
        "high tier, last IMV 5 May: next in 28 days, on site",
        history(
            tier="high",
            done={"siv": D(2025, 4, 1)},
            first_enrolled_on=D(2025, 4, 1),
            last_interim=(D(2025, 5, 5), "on_site"),
        ),
        ("imv", "on_site", D(2025, 6, 2)),
    ),
    (
        "low tier, last IMV 5 May: next in 84 days, remote",
        history(
            tier="low",
            done={"siv": D(2025, 4, 1)},
            first_enrolled_on=D(2025, 4, 1),
            last_interim=(D(2025, 5, 5), "remote"),
        ),
        ("imv", "remote", D(2025, 7, 28)),
    ),
    (
        "a for-cause visit before the first participant does not count as the first IMV",
        history(
            done={"siv": D(2025, 3, 1)},
            first_enrolled_on=D(2025, 4, 14),
            last_interim=(D(2025, 3, 20), "on_site"),
        ),
        ("imv", "on_site", D(2025, 5, 26)),
    ),
    (
        "everyone finished, last left 10 May: COV within 30 days",
        history(
            status="enrollment_closed",
            done={"siv": D(2024, 1, 1)},
            first_enrolled_on=D(2024, 2, 1),
            last_participant_last_visit_on=D(2025, 5, 10),
        ),
        ("cov", "on_site", D(2025, 6, 9)),
    ),
    (
        "closed without participants, activated 1 Mar: COV 30 days after activation",
        history(status="closed", activated_on=D(2025, 3, 1), done={"siv": D(2025, 2, 20)}),
        ("cov", "on_site", D(2025, 3, 31)),
    ),
    (
        "closed, COV done: nothing",
        history(status="closed", done={"siv": D(2025, 2, 20), "cov": D(2025, 5, 1)}),
        None,
    ),
    ("terminated before any SIV: nothing to close out", history(status="terminated"), None),
]


@pytest.mark.parametrize("label, site, expected", DUE_TABLE, ids=[row[0] for row in DUE_TABLE])
def test_next_due_follows_the_plan(label, site, expected):
    due = schedule.next_due(site, PLAN)
    assert (None if due is None else (due.visit_type, due.modality, due.due_on)) == expected


def test_a_plan_without_qualification_visits_asks_for_none():
    plan = schedule.PlanSchedule(6, 30, False, PLAN.tiers)
    assert schedule.next_due(history(status="identified"), plan) is None


def test_overdue_days_count_from_the_due_date_and_never_go_negative():
    due = schedule.Due("imv", "on_site", D(2025, 5, 26), "")
    assert due.overdue_days(D(2025, 6, 2)) == 7
    assert due.overdue_days(D(2025, 5, 1)) == 0


@pytest.mark.parametrize(
    "tier_modality, last, expected",
    [
        ("alternating", "on_site", "remote"),
        ("alternating", "remote", "on_site"),
        ("alternating", None, "on_site"),
        ("on_site", "remote", "on_site"),
        ("remote", "on_site", "remote"),
    ],
)
def test_interim_modality(tier_modality, last, expected):
    assert schedule.interim_modality(tier_modality, last) == expected


@given(
    last=st.dates(D(2020, 1, 1), D(2030, 1, 1)),
    tier=st.sampled_from(["low", "medium", "high"]),
)
def test_an_interim_visit_is_never_due_before_the_last_one(last, tier):
    site = history(
        tier=tier,
        done={"siv": D(2019, 1, 1)},
        first_enrolled_on=D(2019, 6, 1),
        last_interim=(last, "on_site"),
    )
    assert schedule.next_due(site, PLAN).due_on > last


# A site's risk tier (rules.tiers) ------------------------------------------------------------------------

TIER_TABLE = [
    ({}, "low", 0),
    ({"amber_flags": ("AE rate",)}, "low", 1),
    ({"amber_flags": ("AE rate", "Missed visits")}, "medium", 2),
    ({"red_flags": ("AE rate",)}, "medium", 2),
    ({"open_issues": {"minor": 3}}, "medium", 3),
    ({"red_flags": ("AE rate",), "open_issues": {"major": 1}}, "high", 4),
    ({"open_issues": {"critical": 1, "minor": 1}}, "high", 4),
    ({"red_flags": ("AE rate",), "amber_flags": ("Missed visits",)}, "medium", 3),
]


@pytest.mark.parametrize("facts, tier, points", TIER_TABLE)
def test_site_tier_from_flags_and_issues(facts, tier, points):
    reading = tiers.site_tier(**facts)
    assert (reading.tier, reading.points) == (tier, points)


def test_a_tier_set_by_hand_wins_and_says_so():
    reading = tiers.site_tier(red_flags=("AE rate", "SAE rate"), override="low")
    assert reading.tier == "low" and reading.set_by_hand and "set by the CRM" in reading.reasons[0]


def test_the_tier_explains_every_point():
    reading = tiers.site_tier(red_flags=("AE rate",), open_issues={"major": 2})
    assert reading.reasons == ("red flag: AE rate (+2)", "2 open major issues (+4)")


# Visit reports (rules.reports) ---------------------------------------------------------------------------


def test_every_visit_type_has_a_template_with_required_questions():
    for visit_type in ("qualification", "siv", "imv", "cov", "for_cause"):
        questions = reports.template(visit_type)
        assert questions and any(q.required for q in questions)
        assert len({q.key for q in questions}) == len(questions)


ANSWER_TABLE = [
    ({"consent_before_procedures": {"answer": "yes", "comment": ""}}, {}),
    ({"consent_before_procedures": {"answer": "na"}}, {}),
    (
        {"consent_before_procedures": {"answer": "no", "comment": ""}},
        {"answers.consent_before_procedures": "Say what was found: a 'no' needs a comment."},
    ),
    (
        {"consent_before_procedures": {"answer": "maybe"}},
        {"answers.consent_before_procedures": "Answer yes, no, na."},
    ),
    (
        {"no_such_question": {"answer": "yes"}},
        {"answers.no_such_question": "This report's template has no such question."},
    ),
    (
        {"consent_before_procedures": "yes"},
        {"answers.consent_before_procedures": 'Give {"answer": "yes" | "no" | "na", "comment": "..."}.'},
    ),
    ([], {"answers": "Give the answers as an object keyed by question."}),
]


@pytest.mark.parametrize("answers, problems", ANSWER_TABLE)
def test_answers_problems(answers, problems):
    assert reports.answers_problems("imv", answers) == problems


def test_unanswered_lists_only_required_questions_in_template_order():
    questions = reports.template("imv")
    given = {q.key: {"answer": "yes"} for q in questions[:3]}
    missing = reports.unanswered("imv", given)
    assert missing == [q.key for q in questions[3:] if q.required]
    assert "facilities_adequate" not in missing  # optional


REPORT_DUE_TABLE = [
    # (visit's last day, working days, site country, due): counted by hand on a calendar
    (D(2025, 3, 10), 10, None, D(2025, 3, 24)),  # Monday + 10 working days: Monday two weeks on
    (D(2025, 3, 14), 1, None, D(2025, 3, 17)),  # Friday + 1: Monday
    (D(2025, 4, 16), 3, "DE", D(2025, 4, 23)),  # Good Friday 18 Apr and Easter Monday 21 Apr skipped
    (D(2025, 12, 23), 2, "GB", D(2025, 12, 29)),  # Christmas Day and Boxing Day skipped
    (D(2025, 7, 3), 1, "US", D(2025, 7, 7)),  # Independence Day (Friday) and the weekend skipped
]


@pytest.mark.parametrize("ended, days, country, due", REPORT_DUE_TABLE)
def test_report_due_in_working_days(ended, days, country, due):
    assert reports.report_due_on(visit_ended_on=ended, working_days=days, calendar=country) == due


@pytest.mark.parametrize(
    "status, move, allowed",
    [
        ("draft", "submit", True),
        ("returned", "submit", True),
        ("submitted", "approve", True),
        ("submitted", "return", True),
        ("draft", "approve", False),
        ("approved", "submit", False),
        ("approved", "return", False),
        ("submitted", "submit", False),
    ],
)
def test_report_moves(status, move, allowed):
    assert (reports.move_problem(status, move) is None) is allowed


# Action items (rules.actions) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, move, to",
    [
        ("open", "resolve", "resolved"),
        ("resolved", "close", "closed"),
        ("resolved", "reopen", "open"),
        ("open", "close", "closed"),
        ("open", "reopen", None),
        ("closed", "resolve", None),
        ("closed", "reopen", None),
    ],
)
def test_action_item_moves(status, move, to):
    assert actions.ACTION_MOVES.get((status, move)) == to
    assert (actions.move_problem(status, move) is None) is (to is not None)


@pytest.mark.parametrize(
    "due, visit, raised, problem",
    [
        (
            D(2025, 3, 9),
            D(2025, 3, 10),
            D(2025, 3, 10),
            "The due date cannot be before the visit (2025-03-10).",
        ),
        (D(2025, 3, 10), D(2025, 3, 10), D(2025, 3, 10), None),
        (
            D(2025, 3, 9),
            None,
            D(2025, 3, 10),
            "The due date cannot be before the item was raised (2025-03-10).",
        ),
        (D(2025, 4, 1), None, D(2025, 3, 10), None),
    ],
)
def test_due_date_problem(due, visit, raised, problem):
    assert actions.due_date_problem(due_on=due, visit_on=visit, raised_on=raised) == problem


@pytest.mark.parametrize(
    "status, due, today, escalation, overdue, escalated",
    [
        ("open", D(2025, 3, 10), D(2025, 3, 10), 0, False, False),
        ("open", D(2025, 3, 10), D(2025, 3, 11), 0, True, True),
        ("open", D(2025, 3, 10), D(2025, 3, 15), 7, True, False),
        ("open", D(2025, 3, 10), D(2025, 3, 18), 7, True, True),
        ("resolved", D(2025, 3, 10), D(2025, 4, 1), 0, False, False),
        ("closed", D(2025, 3, 10), D(2025, 4, 1), 0, False, False),
    ],
)
def test_overdue_and_escalated(status, due, today, escalation, overdue, escalated):
    assert actions.is_overdue(status=status, due_on=due, today=today) is overdue
    assert (
        actions.is_escalated(status=status, due_on=due, today=today, escalation_days=escalation) is escalated
    )


@pytest.mark.parametrize(
    "age, bucket",
    [(0, "0–30 days"), (30, "0–30 days"), (31, "31–60 days"), (90, "61–90 days"), (91, "over 90 days")],
)
def test_age_buckets(age, bucket):
    assert actions.age_bucket(raised_on=D(2025, 1, 1), today=D(2025, 1, 1) + dt.timedelta(days=age)) == bucket


# Risks, QTLs, issues, signals (rules.quality) --------------------------------------------------------------


def test_every_ract_product_has_its_tier():
    products = sorted({quality.risk_score(a, b, c) for a in (1, 2, 3) for b in (1, 2, 3) for c in (1, 2, 3)})
    assert products == [1, 2, 3, 4, 6, 8, 9, 12, 18, 27]
    assert {p: quality.risk_tier(p) for p in products} == {
        1: "low",
        2: "low",
        3: "low",
        4: "low",
        6: "low",
        8: "medium",
        9: "medium",
        12: "medium",
        18: "high",
        27: "high",
    }


QTL_TABLE = [
    (None, 10, 5, "no_data"),
    (4.99, 10, 5, "within"),
    (5.0, 10, 5, "within"),
    (5.01, 10, 5, "secondary"),
    (10.0, 10, 5, "secondary"),
    (10.01, 10, 5, "breach"),
    (12.0, Decimal("10.00"), None, "breach"),
    (9.0, Decimal("10.00"), None, "within"),
]


@pytest.mark.parametrize("value, limit, secondary, status", QTL_TABLE)
def test_qtl_status(value, limit, secondary, status):
    assert quality.qtl_status(value, limit=limit, secondary_limit=secondary) == status


@pytest.mark.parametrize("numerator, denominator, value", [(1, 3, 33.33), (0, 10, 0.0), (3, 0, None)])
def test_percent_hides_what_has_nothing_to_count(numerator, denominator, value):
    assert quality.percent(numerator, denominator) == value


CAPA = dict(
    root_cause="", corrective_action="", preventive_action="", effectiveness_check_on=None, effectiveness=""
)
ISSUE_TABLE = [
    ("open", "capa", "major", {}, {"root_cause", "corrective_action"}),
    ("open", "capa", "major", {"root_cause": "x", "corrective_action": "y"}, set()),
    ("open", "closed", "minor", {}, set()),
    ("open", "closed", "major", {}, {"to"}),
    ("capa", "effectiveness_check", "major", {}, {"preventive_action", "effectiveness_check_on"}),
    (
        "capa",
        "effectiveness_check",
        "major",
        {"preventive_action": "z", "effectiveness_check_on": D(2025, 9, 1)},
        set(),
    ),
    ("effectiveness_check", "closed", "major", {"effectiveness": "not_effective"}, {"effectiveness"}),
    ("effectiveness_check", "closed", "major", {"effectiveness": "effective"}, set()),
    ("effectiveness_check", "capa", "major", {"effectiveness": "not_effective"}, set()),
    ("effectiveness_check", "capa", "major", {"effectiveness": "effective"}, {"effectiveness"}),
    ("capa", "closed", "major", {}, {"to"}),
    ("closed", "open", "minor", {}, {"to"}),
]


@pytest.mark.parametrize("current, to, severity, facts, fields", ISSUE_TABLE)
def test_issue_moves(current, to, severity, facts, fields):
    problems = quality.issue_move_problems(current=current, to=to, severity=severity, **{**CAPA, **facts})
    assert set(problems) == fields


@pytest.mark.parametrize(
    "status, closed_on, today, needed",
    [
        (None, None, D(2025, 6, 1), True),
        ("open", None, D(2025, 6, 1), False),
        ("triaged", None, D(2025, 6, 1), False),
        ("closed", D(2025, 5, 20), D(2025, 6, 1), False),
        ("closed", D(2025, 5, 2), D(2025, 6, 1), True),
    ],
)
def test_a_red_flag_opens_a_signal_unless_one_is_open_or_recently_closed(status, closed_on, today, needed):
    assert quality.signal_needed(latest_status=status, latest_closed_on=closed_on, today=today) is needed


@pytest.mark.parametrize(
    "flag, red", [(None, False), (0, False), (1, False), (-1, False), (2, True), (-2, True)]
)
def test_red_flags(flag, red):
    assert quality.is_red(flag) is red


@pytest.mark.parametrize(
    "decision, rationale, fields",
    [
        ("no_action", "", {"rationale"}),
        ("no_action", "seasonal", set()),
        ("for_cause_visit", "", set()),
        ("visit", "", {"decision"}),
    ],
)
def test_triage(decision, rationale, fields):
    assert set(quality.triage_problems(decision=decision, rationale=rationale)) == fields


# Carbon (rules.carbon) --------------------------------------------------------------------------------------


def test_haversine_matches_the_published_lyon_paris_distance():
    """The `haversine` package's README (PyPI, mean Earth radius 6,371.0088 km): Lyon (45.7597, 4.8422) to
    Paris (48.8567, 2.3508) is 392.2172595594006 km."""
    assert carbon.haversine_km((45.7597, 4.8422), (48.8567, 2.3508)) == pytest.approx(
        392.2172595594006, abs=1e-9
    )


def test_haversine_matches_rosetta_code_scaled_to_the_mean_radius():
    """Rosetta Code's Haversine formula task: Nashville BNA (36.12, -86.67) to Los Angeles LAX (33.94,
    -118.40) is 2887.2599506071106 km on a sphere of 6,372.8 km; distance scales with the radius."""
    expected = 2887.2599506071106 * 6371.0088 / 6372.8
    assert carbon.haversine_km((36.12, -86.67), (33.94, -118.40)) == pytest.approx(expected, rel=1e-12)


points = st.tuples(st.floats(-90, 90), st.floats(-180, 180))


@given(a=points, b=points)
def test_haversine_is_symmetric_and_at_most_half_the_circumference(a, b):
    assert carbon.haversine_km(a, b) == pytest.approx(carbon.haversine_km(b, a), abs=1e-6)
    assert 0 <= carbon.haversine_km(a, b) <= math.pi * carbon.MEAN_EARTH_RADIUS_KM + 1e-6


@given(a=points, b=points, c=points)
def test_haversine_keeps_the_triangle_inequality(a, b, c):
    assert carbon.haversine_km(a, c) <= carbon.haversine_km(a, b) + carbon.haversine_km(b, c) + 1e-6


def test_every_factor_names_its_source_row_and_year():
    data = carbon.factors()
    assert data["year"] == 2025 and "Department for Energy Security and Net Zero" in data["source"]
    for mode in carbon.MODES:
        entry = data["modes"][mode]
        rows = [b["row"] for b in entry.get("bands", [entry])]
        assert all("(ID " in row for row in rows) and entry["routing_source"]


ESTIMATE_TABLE = [
    # mode, round trip, expected factor, routing factor
    ("car", False, 0.16725, 1.417),
    ("rail", True, 0.03546, 1.417),
    ("air", False, 0.12786, 1.0),  # Lyon–Paris: short-haul band
]


@pytest.mark.parametrize("mode, round_trip, factor, routing", ESTIMATE_TABLE)
def test_estimate_is_distance_times_routing_times_factor(mode, round_trip, factor, routing):
    found = carbon.estimate(
        origin=(45.7597, 4.8422), destination=(48.8567, 2.3508), mode=mode, round_trip=round_trip
    )
    distance = 392.2172595594006 * routing * (2 if round_trip else 1)
    assert (found.factor_kg_co2e_per_km, found.routing_factor) == (factor, routing)
    assert found.distance_km == pytest.approx(distance, abs=1e-3)
    assert found.kg_co2e == pytest.approx(distance * factor, abs=1e-3)


def test_a_long_flight_takes_the_long_haul_factor():
    frankfurt_tokyo = carbon.estimate(
        origin=(50.1109, 8.6821), destination=(35.6762, 139.6503), mode="air", round_trip=False
    )
    assert frankfurt_tokyo.factor_kg_co2e_per_km == 0.15282 and frankfurt_tokyo.distance_km > 3700


def test_a_typed_distance_replaces_the_points_and_the_routing():
    found = carbon.estimate(origin=None, destination=None, mode="car", round_trip=True, typed_km=120)
    assert (found.distance_km, found.routing_factor, found.kg_co2e) == (240.0, 1.0, round(240 * 0.16725, 3))


@pytest.mark.parametrize(
    "text, field, message",
    [
        ("52.5", "--from", "give LAT,LON"),
        ("a,b", "--from", "decimal degrees"),
        ("91,10", "--from", "not a point on Earth"),
        ("nan,1", "--from", "finite"),
    ],
)
def test_bad_points_are_refused_naming_the_field(text, field, message):
    with pytest.raises(carbon.CarbonInputError) as refused:
        carbon.parse_point(text, field)
    assert refused.value.field == field and message in str(refused.value)


def test_an_unknown_mode_is_refused():
    with pytest.raises(carbon.CarbonInputError) as refused:
        carbon.estimate(origin=(0, 0), destination=(1, 1), mode="bike", round_trip=False)
    assert refused.value.field == "mode"


# Visits and oversight ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "facts, problems",
    [
        (dict(status="conducted", conducted_on=None), {"conducted_on"}),
        (dict(status="conducted", conducted_on=D(2025, 6, 3)), {"conducted_on"}),
        (
            dict(status="conducted", conducted_on=D(2025, 6, 1), conducted_end_on=D(2025, 5, 31)),
            {"conducted_end_on"},
        ),
        (dict(status="planned", conducted_end_on=D(2025, 5, 31)), {"conducted_end_on"}),
        (dict(status="confirmed", confirmed_on=D(2025, 6, 9)), {"confirmed_on"}),
        (dict(status="conducted", conducted_on=D(2025, 6, 1), conducted_end_on=D(2025, 6, 2)), set()),
    ],
)
def test_visit_dates(facts, problems):
    values = {"conducted_on": None, "conducted_end_on": None, "confirmed_on": None, **facts}
    assert set(visits.visit_date_problems(today=TODAY, **values)) == problems


@pytest.mark.parametrize(
    "first, today, expected",
    [
        (None, D(2025, 6, 1), 0),
        (D(2025, 5, 1), D(2025, 6, 1), 0),
        (D(2025, 1, 1), D(2025, 2, 12), 1),
        (D(2025, 1, 1), D(2025, 4, 8), 2),
        (D(2025, 1, 1), D(2025, 4, 9), 3),
    ],
)
def test_expected_interim_visits(first, today, expected):
    # first IMV 6 weeks after 1 Jan is 12 Feb, then every 28 days: 12 Mar, 9 Apr
    assert (
        oversight.expected_interim_visits(
            first_enrolled_on=first, today=today, interval_days=28, first_imv_weeks=6
        )
        == expected
    )


def test_median_days_and_coverage():
    assert (
        oversight.median_days(
            [(D(2025, 1, 1), D(2025, 1, 5)), (D(2025, 1, 1), D(2025, 1, 11)), (D(2025, 1, 1), None)]
        )
        == 7.0
    )
    assert oversight.median_days([]) is None
    assert oversight.coverage_percent(3, 4) == 75.0 and oversight.coverage_percent(0, 0) is None
    assert oversight.coverage_gap(75.0, 100) and not oversight.coverage_gap(None, 100)
