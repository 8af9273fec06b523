"""The breach clocks as tables (incident → due), checked by hand against the cited rules.

Day 0 is the day of awareness (discovery); a day clock is due at 23:59:59 of its last day in the reporting
party's zone; an hours clock exactly that many elapsed hours after awareness, whatever the wall clock does.
"""

import datetime as dt

import pytest

from trialdesk.incidents import rules


def facts(**overrides) -> rules.IncidentFacts:
    values = dict(
        kind="personal_data_breach",
        jurisdictions=("EU", "UK", "US"),
        aware_at=dt.datetime.fromisoformat("2026-06-10T09:00:00+02:00"),
        sponsor_timezone="Europe/Berlin",
        affected_individuals=120,
    )
    values.update(overrides)
    return rules.IncidentFacts(**values)


def by_key(incident: rules.IncidentFacts, **options) -> dict:
    return {o.key: o for o in rules.obligations_for(incident, **options)}


def test_every_shipped_rule_cites_its_source_and_uses_known_terms():
    for code, found in rules.rulebook().items():
        assert code in rules.JURISDICTIONS
        for rule in found:
            assert rule.kind in rules.KINDS and rule.clock in rules.CLOCKS
            assert rule.rule and rule.citation["source"].startswith("https://")
            assert rule.citation["read"]
            assert {name for name, _ in rule.when} <= set(rules.CONDITIONS)


# Hours clocks: exact across daylight-saving changes ------------------------------------------------------

HOURS = [
    # aware at (with offset), sponsor zone, due at (72 elapsed hours later, in the sponsor's zone)
    ("2026-06-10T09:00:00+02:00", "Europe/Berlin", "2026-06-13T09:00:00+02:00"),
    # Europe springs forward on 29 March 2026: 72 hours later the wall clock reads an hour later.
    ("2026-03-28T10:00:00+01:00", "Europe/Berlin", "2026-03-31T11:00:00+02:00"),
    # ... and falls back on 25 October 2026: an hour earlier.
    ("2026-10-24T10:00:00+02:00", "Europe/Berlin", "2026-10-27T09:00:00+01:00"),
    # The UK falls back the same night (10:00 BST, given in New York time, to 09:00 GMT).
    ("2026-10-24T05:00:00-04:00", "Europe/London", "2026-10-27T09:00:00+00:00"),
]


@pytest.mark.parametrize(("aware_at", "zone", "expected"), HOURS)
def test_the_72_hour_clock_runs_exact_hours_across_dst(aware_at, zone, expected):
    incident = facts(aware_at=dt.datetime.fromisoformat(aware_at), sponsor_timezone=zone)
    found = by_key(incident)
    for key in ("EU-GDPR-33", "UK-GDPR-33"):
        assert found[key].due_at.isoformat() == expected
        assert found[key].due_at - incident.aware_at == dt.timedelta(hours=72)
        assert (found[key].clock, found[key].length) == ("hours", 72)


# Day clocks: in the reporting party's zone ---------------------------------------------------------------

DAYS = [
    # kind, aware at, sponsor zone, rule, due at
    (
        "serious_breach",
        "2026-06-10T09:00:00+02:00",
        "Europe/Berlin",
        "EU-CTR-52",
        "2026-06-17T23:59:59+02:00",
    ),
    # 23:30 in New York is already the next day in Berlin: the sponsor's day counts.
    (
        "serious_breach",
        "2026-06-09T23:30:00-04:00",
        "Europe/Berlin",
        "EU-CTR-52",
        "2026-06-17T23:59:59+02:00",
    ),
    (
        "serious_breach",
        "2026-06-09T23:30:00-04:00",
        "America/New_York",
        "EU-CTR-52",
        "2026-06-16T23:59:59-04:00",
    ),
    (
        "serious_breach",
        "2026-06-10T09:00:00+01:00",
        "Europe/London",
        "UK-CTR-29A",
        "2026-06-17T23:59:59+01:00",
    ),
    # 60 calendar days after discovery (164.404), across the US fall-back of 1 November 2026.
    (
        "personal_data_breach",
        "2026-10-01T15:00:00-04:00",
        "America/New_York",
        "US-HIPAA-404",
        "2026-11-30T23:59:59-05:00",
    ),
]


@pytest.mark.parametrize(("kind", "aware_at", "zone", "key", "expected"), DAYS)
def test_day_clocks_end_on_the_reporting_party_s_day(kind, aware_at, zone, key, expected):
    incident = facts(kind=kind, aware_at=dt.datetime.fromisoformat(aware_at), sponsor_timezone=zone)
    found = by_key(incident)[key]
    assert found.due_at.isoformat() == expected
    assert found.due_on.isoformat() == expected[:10]


# HIPAA: the 500 threshold and the calendar year ----------------------------------------------------------


def test_fewer_than_500_are_told_to_the_secretary_60_days_after_the_year_ends():
    """164.408(c): aware 30 December 2026 with 499 affected → 31 December is day 0, due 1 March 2027."""
    incident = facts(
        aware_at=dt.datetime.fromisoformat("2026-12-30T14:00:00-05:00"),
        sponsor_timezone="America/New_York",
        affected_individuals=499,
    )
    found = by_key(incident)
    assert "US-HIPAA-408-500" not in found
    secretary = found["US-HIPAA-408-LOG"]
    assert secretary.starts_at.isoformat() == "2026-12-31T23:59:59-05:00"
    assert secretary.due_at.isoformat() == "2027-03-01T23:59:59-05:00"
    assert found["US-HIPAA-404"].due_on == dt.date(2027, 2, 28)


def test_the_year_is_the_reporting_party_s_year():
    """1 January 2027 in Berlin is still 31 December 2026 in New York: last year's log there."""
    aware = dt.datetime.fromisoformat("2027-01-01T03:00:00+01:00")
    in_new_york = by_key(facts(aware_at=aware, sponsor_timezone="America/New_York", affected_individuals=3))
    in_berlin = by_key(facts(aware_at=aware, sponsor_timezone="Europe/Berlin", affected_individuals=3))
    assert in_new_york["US-HIPAA-408-LOG"].due_on == dt.date(2027, 3, 1)
    assert in_berlin["US-HIPAA-408-LOG"].due_on == dt.date(2028, 2, 29)  # 2028 is a leap year


THRESHOLD = [
    # affected, Secretary's rule, media notice
    (499, "US-HIPAA-408-LOG", False),
    (500, "US-HIPAA-408-500", False),
    (501, "US-HIPAA-408-500", True),
]


@pytest.mark.parametrize(("affected", "secretary", "media"), THRESHOLD)
def test_the_500_threshold_on_both_sides(affected, secretary, media):
    found = by_key(facts(affected_individuals=affected))
    assert secretary in found
    assert {"US-HIPAA-408-500", "US-HIPAA-408-LOG"} - {secretary} & set(found) == set()
    assert ("US-HIPAA-406" in found) is media
    if secretary == "US-HIPAA-408-500":
        assert found[secretary].due_on == dt.date(2026, 8, 9)  # 60 days after 10 June 2026


def test_media_notice_needs_more_than_500_residents_of_one_state_when_states_are_known():
    spread = facts(affected_individuals=900, residents_by_state=(("CA", 450), ("NY", 450)))
    one_state = facts(affected_individuals=900, residents_by_state=(("CA", 501), ("NY", 399)))
    assert "US-HIPAA-406" not in by_key(spread)
    assert "US-HIPAA-406" in by_key(one_state)
    assert any(
        "residents by State not given" in w for w in rules.warnings_for(facts(affected_individuals=900))
    )


def test_a_business_associate_tells_the_covered_entity_and_no_one_else():
    found = by_key(facts(jurisdictions=("US",), hipaa_role="business_associate", affected_individuals=900))
    assert set(found) == {"US-HIPAA-410"}
    assert found["US-HIPAA-410"].recipient == "Covered entity"
    assert by_key(facts(jurisdictions=("US",), hipaa_role="not_covered")) == {}


# GDPR: the risk assessment --------------------------------------------------------------------------------


RISK = [
    # risk to individuals, art. 33 (authority), art. 34 (individuals)
    ("unlikely", False, False),
    ("risk", True, False),
    ("high", True, True),
]


@pytest.mark.parametrize(("risk", "authority", "individuals"), RISK)
def test_the_risk_assessment_decides_articles_33_and_34(risk, authority, individuals):
    found = by_key(facts(jurisdictions=("EU", "UK"), risk_to_individuals=risk))
    assert ("EU-GDPR-33" in found, "UK-GDPR-33" in found) == (authority, authority)
    assert ("EU-GDPR-34" in found, "UK-GDPR-34" in found) == (individuals, individuals)


def test_without_undue_delay_is_due_from_awareness_and_never_late():
    incident = facts(jurisdictions=("EU",), risk_to_individuals="high")
    later = incident.aware_at + dt.timedelta(days=30)
    individuals = by_key(incident, now=later)["EU-GDPR-34"]
    assert (individuals.clock, individuals.length) == ("without_undue_delay", 0)
    assert individuals.due_at == incident.aware_at and individuals.status == "open"
    done = rules.IncidentFacts(**{**incident.__dict__, "submitted": (("EU-GDPR-34", later),)})
    assert by_key(done, now=later)["EU-GDPR-34"].status == "met"


def test_a_serious_breach_starts_no_data_protection_clock_and_the_us_has_none():
    incident = facts(kind="serious_breach")
    assert set(by_key(incident)) == {"EU-CTR-52", "UK-CTR-29A"}
    assert any(w.startswith("US: no federal clock") for w in rules.warnings_for(incident))


def test_status_is_met_missed_or_open_by_the_due_time():
    incident = facts(jurisdictions=("EU",))
    due_at = by_key(incident)["EU-GDPR-33"].due_at
    assert by_key(incident, now=due_at)["EU-GDPR-33"].status == "open"
    assert by_key(incident, now=due_at + dt.timedelta(seconds=1))["EU-GDPR-33"].status == "missed"
    on_time = rules.IncidentFacts(**{**incident.__dict__, "submitted": (("EU-GDPR-33", due_at),)})
    assert by_key(on_time)["EU-GDPR-33"].status == "met"
