"""The samples rule book as tables: which permits a country pair needs, whether a permit allows a
shipment, the temperature log, and reconciliation (plus hypothesis on the counts)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.samples import rules

# from, to, infectious -> the rules that apply (by key)
PAIRS = [
    ("CN", "US", False, ["CN-HGR-EXPORT"]),
    ("CN", "US", True, ["CN-HGR-EXPORT", "US-CDC-IMPORT"]),
    ("IN", "GB", False, ["IN-ICMR-EXPORT"]),
    ("DE", "US", False, []),  # human samples not known to be infectious need no CDC permit
    ("DE", "US", True, ["US-CDC-IMPORT"]),
    ("DE", "FR", True, []),  # within the EU: none
    ("FR", "FR", True, []),  # no border
    ("JP", "DE", False, []),  # no rule shipped
    ("US", "CN", False, []),  # China's rule is on export
]


@pytest.mark.parametrize(("from_country", "to_country", "infectious", "expected"), PAIRS)
def test_required_permits_follow_the_table(from_country, to_country, infectious, expected):
    found = rules.required_permits(from_country=from_country, to_country=to_country, infectious=infectious)
    assert [rule.key for rule in found] == expected


def test_every_rule_is_cited_and_says_whether_its_source_was_read():
    for rule in (*rules.PERMIT_RULES, rules.EU_INTERNAL):
        assert rule.citation and isinstance(rule.verified, bool)
    assert rules.rule_verified("US-CDC-IMPORT") is True
    assert rules.rule_verified("CN-HGR-EXPORT") is False


def permit(**overrides) -> rules.PermitFacts:
    values = {
        "id": 1,
        "direction": "export",
        "from_country": "CN",
        "to_country": "US",
        "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 6, 30),
        "sample_type_codes": (),
    }
    return rules.PermitFacts(**(values | overrides))


# a permit's facts, the shipment day -> the problem's start (None: it allows the shipment)
PERMITS = [
    (permit(), dt.date(2026, 6, 30), None),  # the last valid day counts
    (permit(), dt.date(2026, 7, 1), "This permit expired on 2026-06-30"),
    (permit(), dt.date(2025, 12, 31), "This permit is valid from 2026-01-01"),
    (permit(direction="import"), dt.date(2026, 3, 1), "This is an import permit"),
    (permit(to_country="GB"), dt.date(2026, 3, 1), "This permit is for CN → GB"),
    (permit(sample_type_codes=("WB",)), dt.date(2026, 3, 1), "This permit does not cover sample type SER"),
    (permit(sample_type_codes=("SER", "WB")), dt.date(2026, 3, 1), None),
]


@pytest.mark.parametrize(("facts", "on", "expected"), PERMITS)
def test_permit_problem_table(facts, on, expected):
    problem = rules.permit_problem(
        facts, direction="export", from_country="CN", to_country="US", on=on, codes=["SER"]
    )
    assert (problem is None) if expected is None else problem.startswith(expected)


def test_a_shipment_without_the_permit_its_pair_needs_names_the_field_and_the_authority():
    problems = rules.shipment_permit_problems(
        from_country="CN",
        to_country="US",
        infectious=True,
        codes=["SER"],
        on=dt.date(2026, 3, 1),
        export_permit=None,
        import_permit=None,
    )
    assert set(problems) == {"export_permit", "import_permit"}
    assert "HGRAC" in problems["export_permit"] and "(rule unverified)" in problems["export_permit"]
    assert "42 CFR 71.54" in problems["import_permit"]


def test_a_permit_given_where_none_is_needed_must_still_fit_the_pair():
    problems = rules.shipment_permit_problems(
        from_country="DE",
        to_country="FR",
        infectious=False,
        codes=["SER"],
        on=dt.date(2026, 3, 1),
        export_permit=permit(),
        import_permit=None,
    )
    assert list(problems) == ["export_permit"]


# valid until, today -> expiring within 60 days
EXPIRY = [
    (dt.date(2026, 3, 1), dt.date(2026, 3, 1), True),
    (dt.date(2026, 4, 30), dt.date(2026, 3, 1), True),  # day 60
    (dt.date(2026, 5, 1), dt.date(2026, 3, 1), False),  # day 61
    (dt.date(2026, 2, 28), dt.date(2026, 3, 1), False),  # already expired
]


@pytest.mark.parametrize(("valid_until", "today", "expected"), EXPIRY)
def test_expiring_within_sixty_days(valid_until, today, expected):
    assert rules.expiring(valid_until, today=today) is expected


def test_temperature_log_is_read_in_utc_with_each_bad_line_named():
    readings = rules.parse_temperature_log("2026-03-02T10:00+01:00, -78.5\n\n2026-03-02T12:00Z,-55")
    assert readings == [
        {"at": "2026-03-02T09:00:00+00:00", "celsius": "-78.5"},
        {"at": "2026-03-02T12:00:00+00:00", "celsius": "-55"},
    ]
    for text, line in (
        ("yesterday, -80", "Line 1"),
        ("2026-03-02T10:00, -80", "Line 1"),
        ("\n2026-03-02T10:00Z, cold", "Line 2"),
    ):
        with pytest.raises(rules.TemperatureLogError, match=line):
            rules.parse_temperature_log(text)
    low, high = rules.storage_range([(Decimal(-90), Decimal(-60)), (Decimal(-80), Decimal(-20))])
    assert (low, high) == (Decimal(-80), Decimal(-60))
    assert rules.excursions(readings, low=low, high=high) == [readings[1]]


# shipped, shipment received, item received, condition -> state
STATES = [
    (False, False, None, "", rules.WAITING),
    (True, False, None, "", rules.IN_TRANSIT),
    (True, True, True, "good", rules.RECEIVED),
    (True, True, True, "thawed", rules.RECEIVED_DAMAGED),
    (True, True, False, "", rules.NOT_RECEIVED),
]


@pytest.mark.parametrize(("shipped", "shipment_received", "received", "condition", "expected"), STATES)
def test_sample_state_table(shipped, shipment_received, received, condition, expected):
    assert (
        rules.sample_state(
            shipped=shipped, shipment_received=shipment_received, received=received, condition=condition
        )
        == expected
    )


STATE_NAMES = [rules.WAITING, rules.IN_TRANSIT, rules.RECEIVED, rules.NOT_RECEIVED, rules.RECEIVED_DAMAGED]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 3), st.sampled_from(STATE_NAMES)), max_size=40))
def test_reconciliation_accounts_for_every_sample(rows):
    sites = rules.reconcile((site, f"S{i}", state) for i, (site, state) in enumerate(rows))
    for site_id, site in sites.items():
        states = [state for s, state in rows if s == site_id]
        assert site.collected == len(states)
        assert site.shipped == site.collected - site.waiting
        assert site.shipped == site.in_transit + site.received + states.count(rules.NOT_RECEIVED)
        assert len(site.discrepancies) == states.count(rules.NOT_RECEIVED) + states.count(
            rules.RECEIVED_DAMAGED
        )
        assert site.balanced == (not site.discrepancies)
