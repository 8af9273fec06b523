"""The finance rule book as tables: money and rounding, what work earns, exchange rates, the estimate at
completion and the budget's health. Each expected figure is worked out by hand in the comment beside it."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.core.extensions import AMBER, GREEN, RED, UNKNOWN
from trialdesk.finance.rules import documents, earnings, forecast, money, rates
from trialdesk.interop.json_documents import DocumentError

D = Decimal
ISSUE_BUDGET = {
    "currency": "EUR",
    "overhead_percent": 25,
    "holdback_percent": 10,
    "visit_fees": {"SCR": 500, "V1": 1200},
    "procedure_fees": {"MRI": 800},
    "screen_failure": {"fee": 300, "max_paid": 5},
    "startup_fee": 5000,
    "closeout_fee": 2000,
    "invoiceable": {"ETHICS": 1500},
}


def event(kind, on, code=None, participant=None):
    return {"kind": kind, "code": code, "participant": participant, "on": on}


ISSUE_EVENTS = [
    event("startup", "2025-01-10"),
    event("visit", "2025-02-01", "SCR", "101-001"),
    event("visit", "2025-03-01", "V1", "101-001"),
    event("procedure", "2025-03-01", "MRI", "101-001"),
    *[event("screen_failure", f"2025-04-0{day}", None, f"S-{day}") for day in range(1, 7)],
    event("invoice", "2025-05-01", "ETHICS"),
    event("visit", "2025-05-02", "V9", "101-002"),
    event("closeout", "2025-12-01"),
    event("visit", "2026-01-05", "V1", "101-001"),
]


def run(budget=ISSUE_BUDGET, events=ISSUE_EVENTS, through=None):
    return earnings.earnings(
        documents.parse_fee_schedule(budget), documents.parse_events(events), through=through
    ).as_json()


# Money ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, currency, expected",
    [
        ("0.005", "EUR", "0.01"),  # half up, not half even (0.00)
        ("0.015", "EUR", "0.02"),
        ("0.025", "EUR", "0.03"),  # half even would give 0.02
        ("-0.005", "EUR", "-0.01"),  # away from zero at the half
        ("83.25", "JPY", "83"),  # the yen has no minor unit
        ("83.5", "JPY", "84"),
        ("1.0005", "BHD", "1.001"),  # the Bahraini dinar has three
        ("1200", "EUR", "1200.00"),
    ],
)
def test_amounts_round_half_up_to_the_currency_minor_unit(amount, currency, expected):
    assert money.as_text(money.rounded(D(amount), currency), currency) == expected


@pytest.mark.parametrize(
    "code, unit", [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("BHD", 3), ("KWD", 3), ("CLP", 0)]
)
def test_minor_units_follow_iso_4217(code, unit):
    assert money.minor_unit(code) == unit


@pytest.mark.parametrize("code", ["EURO", "XXX", "XAU", "eur", "", None, "ABC"])
def test_unknown_currencies_are_refused(code):
    assert money.currency_problem(code)


def test_a_float_is_read_by_its_shortest_form_never_through_binary():
    assert money.parse_amount(1200.1) == D("1200.1")
    with pytest.raises(ValueError):
        money.parse_amount(True)
    with pytest.raises(ValueError, match="negative"):
        money.parse_amount(-1)


# Earnings: the issue's rules ---------------------------------------------------------------------------


def test_the_issue_budget_earns_as_the_rules_say():
    result = run()
    by_kind = {}
    for line in result["lines"]:
        by_kind.setdefault(line["kind"], []).append(line)
    # SCR: 500 + 25 % overhead = 625.00, holdback 10 % of 625 = 62.50, payable 562.50.
    assert by_kind["visit"][0] == {
        "on": "2025-02-01", "kind": "visit", "code": "SCR", "participant": "101-001",
        "fee": "500.00", "overhead": "125.00", "holdback": "62.50", "payable": "562.50",
    }  # fmt: skip
    # V1: 1200 + 300 = 1500, holdback 150; MRI: 800 + 200 = 1000, holdback 100.
    assert (by_kind["visit"][1]["payable"], by_kind["procedure"][0]["payable"]) == ("1350.00", "900.00")
    # Screen failures: 300 + 75 = 375, holdback 37.50; the sixth is beyond max_paid and earns nothing.
    assert [line["payable"] for line in by_kind["screen_failure"]] == ["337.50"] * 5 + ["0.00"]
    # Start-up, close-out and invoiceable items: no overhead, no holdback.
    for kind, fee in (("startup", "5000.00"), ("closeout", "2000.00"), ("invoice", "1500.00")):
        assert by_kind[kind][0]["overhead"] == by_kind[kind][0]["holdback"] == "0.00"
        assert by_kind[kind][0]["payable"] == fee
    # The close-out releases 62.50 + 150 + 100 + 5 × 37.50 = 500.00 withheld so far.
    assert by_kind["holdback_release"] == [
        {"on": "2025-12-01", "kind": "holdback_release", "code": None, "participant": None,
         "fee": "0.00", "overhead": "0.00", "holdback": "-500.00", "payable": "500.00"}
    ]  # fmt: skip
    # The V1 visit after close-out keeps its holdback (150.00) until a later close-out.
    assert by_kind["visit"][2]["holdback"] == "150.00"
    # Earned: 625 + 1500 + 1000 + 5 × 375 + 5000 + 1500 + 2000 + 1500 = 15000.00.
    assert result["earned"] == "15000.00"
    assert (result["holdback_withheld"], result["holdback_released"]) == ("650.00", "500.00")
    assert result["payable"] == "14850.00"  # 15000 − 650 + 500
    assert result["unmatched"] == [event("visit", "2025-05-02", "V9", "101-002")]
    assert result["currency"] == "EUR"


def test_work_after_through_is_ignored():
    result = run(through=dt.date(2025, 3, 1))
    assert [line["code"] for line in result["lines"]] == [None, "SCR", "V1", "MRI"]
    assert result["earned"] == "8125.00"  # 5000 + 625 + 1500 + 1000


def test_a_closeout_releases_that_days_holdback_too_and_a_later_one_only_what_came_since():
    events = [
        event("visit", "2025-01-01", "V1", "1"),
        event("closeout", "2025-02-01"),
        event("visit", "2025-02-01", "V1", "2"),  # listed after, but the same day: released with it
        event("visit", "2025-03-01", "V1", "3"),
        event("closeout", "2025-04-01"),
    ]
    releases = [line for line in run(events=events)["lines"] if line["kind"] == "holdback_release"]
    assert [line["payable"] for line in releases] == ["300.00", "150.00"]


def test_each_line_is_rounded_half_up_before_it_is_added():
    budget = {
        "currency": "EUR",
        "overhead_percent": 12.5,
        "holdback_percent": 10,
        "visit_fees": {"V": "0.20"},
    }
    # overhead 12.5 % of 0.20 = 0.025 → 0.03 (half up); holdback 10 % of 0.23 = 0.023 → 0.02.
    line = run(budget=budget, events=[event("visit", "2025-01-01", "V")])["lines"][0]
    assert (line["overhead"], line["holdback"], line["payable"]) == ("0.03", "0.02", "0.21")


def test_a_currency_without_minor_unit_pays_whole_units():
    budget = {"currency": "JPY", "overhead_percent": 25, "holdback_percent": 10, "visit_fees": {"V": 333}}
    line = run(budget=budget, events=[event("visit", "2025-01-01", "V")])["lines"][0]
    # 333 × 25 % = 83.25 → 83; (333 + 83) × 10 % = 41.6 → 42.
    assert (line["fee"], line["overhead"], line["holdback"], line["payable"]) == ("333", "83", "42", "374")


def test_work_without_a_fee_is_unmatched_and_a_missing_key_means_no_fee():
    result = run(
        budget={"currency": "USD"}, events=[event("startup", "2025-01-01"), event("closeout", "2025-02-01")]
    )
    assert result["lines"] == [] and len(result["unmatched"]) == 2
    assert result["earned"] == result["payable"] == "0.00"


def test_a_new_fee_schedule_applies_from_its_effective_date():
    old = documents.parse_fee_schedule({"currency": "EUR", "visit_fees": {"V1": 100}})
    new = documents.parse_fee_schedule({"currency": "EUR", "visit_fees": {"V1": 150}})
    work = [earnings.WorkDone("visit", dt.date(2025, 1, day), "V1") for day in (5, 20)]
    found = earnings.earnings([(dt.date(2025, 1, 1), old), (dt.date(2025, 1, 15), new)], work)
    assert [line.fee for line in found.lines] == [D("100.00"), D("150.00")]


@given(
    fees=st.lists(st.decimals(min_value=0, max_value=100000, places=2), min_size=1, max_size=20),
    overhead=st.decimals(min_value=0, max_value=50, places=1),
    holdback=st.decimals(min_value=0, max_value=100, places=1),
)
def test_payable_is_always_fee_plus_overhead_minus_holdback_and_totals_add_up(fees, overhead, holdback):
    budget = documents.parse_fee_schedule(
        {"currency": "EUR", "overhead_percent": str(overhead), "holdback_percent": str(holdback),
         "visit_fees": {f"V{i}": str(fee) for i, fee in enumerate(fees)}, "closeout_fee": 0}
    )  # fmt: skip
    work = [earnings.WorkDone("visit", dt.date(2025, 1, 1), f"V{i}") for i in range(len(fees))]
    result = earnings.earnings(budget, [*work, earnings.WorkDone("closeout", dt.date(2025, 2, 1))])
    for line in result.lines:
        assert line.payable == line.fee + line.overhead - line.holdback
        assert line.holdback <= line.fee + line.overhead or line.kind == "holdback_release"
    assert result.payable == result.earned  # everything withheld was released at close-out


# Bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "budget, expected",
    [
        ({**ISSUE_BUDGET, "visit_fees": {"V1": -5}}, "budget.visit_fees.V1: an amount cannot be negative."),
        (
            {**ISSUE_BUDGET, "holdback_percent": 120},
            "budget.holdback_percent: the holdback cannot be more than 100 %.",
        ),
        ({**ISSUE_BUDGET, "currency": "EURO"}, "budget.currency: EURO is not an ISO 4217 currency code"),
        (
            {**ISSUE_BUDGET, "overhead_percent": -1},
            "budget.overhead_percent: the overhead cannot be negative.",
        ),
        (
            {**ISSUE_BUDGET, "screen_failure": {"fee": 300, "max_paid": 1.5}},
            "budget.screen_failure.max_paid: give a whole number",
        ),
        ({**ISSUE_BUDGET, "bonus": 1}, "budget.bonus: unknown key"),
        ({**ISSUE_BUDGET, "startup_fee": "lots"}, "budget.startup_fee: 'lots' is not an amount"),
    ],
)
def test_a_bad_budget_names_each_field(budget, expected):
    with pytest.raises(DocumentError) as caught:
        documents.parse_fee_schedule(budget)
    assert any(line.startswith(expected) for line in caught.value.lines()), caught.value.lines()


def test_bad_events_are_named_by_position_and_field():
    with pytest.raises(DocumentError) as caught:
        documents.parse_events([event("visit", "2025-13-01", "V1"), {"kind": "lunch", "on": "2025-01-01"}])
    assert caught.value.lines() == [
        "events[0].on: give a date as YYYY-MM-DD, e.g. 2025-03-01",
        "events[1].kind: give one of visit, procedure, screen_failure, startup, closeout, invoice",
    ]


# Exchange rates ----------------------------------------------------------------------------------------


BOOK = rates.RateBook(
    [
        ("EUR", "USD", dt.date(2025, 3, 7), D("1.0830")),  # a Friday
        ("EUR", "USD", dt.date(2025, 3, 10), D("1.0852")),
        ("GBP", "EUR", dt.date(2025, 3, 10), D("1.1900")),
    ]
)


@pytest.mark.parametrize(
    "base, quote, on, rate, rate_on",
    [
        ("EUR", "USD", dt.date(2025, 3, 10), D("1.0852"), dt.date(2025, 3, 10)),  # the day's own
        ("EUR", "USD", dt.date(2025, 3, 9), D("1.0830"), dt.date(2025, 3, 7)),  # Sunday: Friday's
        ("EUR", "USD", dt.date(2025, 3, 14), D("1.0830") * 0 + D("1.0852"), dt.date(2025, 3, 10)),
        ("EUR", "EUR", dt.date(2025, 3, 9), D(1), dt.date(2025, 3, 9)),
    ],
)
def test_the_rate_of_a_day_is_its_own_or_the_latest_within_a_week(base, quote, on, rate, rate_on):
    assert BOOK.rate_on(base, quote, on) == (rate, rate_on)


def test_a_pair_known_the_other_way_round_is_inverted_and_a_stale_one_is_missing():
    rate, _ = BOOK.rate_on("EUR", "GBP", dt.date(2025, 3, 10))
    assert money.rounded(rate, "USD") == D("0.84")  # 1 / 1.19
    with pytest.raises(rates.MissingRate, match="2025-03-18"):
        BOOK.rate_on("EUR", "USD", dt.date(2025, 3, 18))  # 8 days after the last fixing
    with pytest.raises(rates.MissingRate):
        BOOK.rate_on("EUR", "USD", dt.date(2025, 3, 6))  # before the first


def test_a_conversion_is_rounded_once_and_shown_both_ways():
    conversion = BOOK.convert(D("1350.00"), "EUR", "USD", dt.date(2025, 3, 10))
    assert conversion.converted == D("1465.02")  # 1350 × 1.0852 = 1465.02
    assert conversion.both_ways() == (
        "EUR 1,350.00 = USD 1,465.02 at 1 EUR = 1.0852 USD (1 USD = 0.921489 EUR) of 2025-03-10"
    )


# Forecast and health -----------------------------------------------------------------------------------


def test_estimate_at_completion_is_spent_plus_the_cost_to_come_at_each_quantile():
    """A hand-worked bottom-up EAC (PMBOK Guide 6th ed. §7.4.2.2, EAC = AC + bottom-up ETC; VAC = BAC − EAC):
    spent 400,000; 30 visits still scheduled at 1,500 = 45,000; 10/20/30 new participants at 9,000 each;
    two close-outs at 2,000 = 4,000; vendors still committed 120,000; IP budget 50,000 with 10,000 spent."""
    participants = forecast.participant_quantiles(
        expected=D(20), lower=D(10), upper=D(35), still_to_enroll=30
    )
    assert participants == {"0.1": D(10), "0.5": D(20), "0.9": D(30)}  # 35 is more than 30 still needed
    untracked = forecast.untracked_to_come(
        {"ip": D(50000), "sites": D(1)}, {"ip": D(10000)}, tracked={"sites"}
    )
    to_come = forecast.CostToCome(
        scheduled_visits=D(45000),
        new_participants={q: n * 9000 for q, n in participants.items()},
        fixed=D(4000),
        committed=D(120000),
        untracked=untracked,
    )
    eac = forecast.estimate_at_completion(spent=D(400000), to_come=to_come, currency="EUR")
    # 400,000 + 45,000 + 4,000 + 120,000 + 40,000 = 609,000, plus 90,000 / 180,000 / 270,000.
    assert eac == {"0.1": D("699000.00"), "0.5": D("789000.00"), "0.9": D("879000.00")}
    assert forecast.variance_at_completion(budget=D(800000), eac=eac["0.5"]) == D("11000.00")


@pytest.mark.parametrize(
    "budget, median, high, colour",
    [
        (None, 1, 1, UNKNOWN),
        (D(1000), D(900), D(990), GREEN),
        (D(1000), D(900), D(1100), AMBER),  # the 90 % estimate overruns
        (D(1000), D(1040), D(1200), AMBER),  # median over by 4 %
        (D(1000), D(1060), D(1200), RED),  # median over by 6 %
    ],
)
def test_budget_health(budget, median, high, colour):
    eac = {"0.1": median, "0.5": median, "0.9": high}
    assert forecast.budget_health(budget=budget, eac=eac, currency="EUR")[0] == colour


def test_monthly_burn_keeps_quiet_months():
    months = forecast.monthly_burn(
        [(dt.date(2025, 1, 5), D(100)), (dt.date(2025, 3, 2), D(50))], [(dt.date(2025, 3, 30), D(80))]
    )
    assert [(m.month, m.earned, m.paid, m.cumulative_earned) for m in months] == [
        ("2025-01", D(100), D(0), D(100)),
        ("2025-02", D(0), D(0), D(100)),
        ("2025-03", D(50), D(80), D(150)),
    ]
