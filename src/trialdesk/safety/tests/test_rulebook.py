"""Every shipped reporting rule as a row: the facts that start it, the due day counted by hand from its
citation (day 0 is Monday 3 March 2025 in Berlin, unless the row says otherwise), and that each rule carries
its source beside it. A rule added to `jurisdictions/*.json` fails `test_every_rule_is_a_row` until it has a
row here.

Where the regulation gives its own example it is the row: SI 2004/1031 reg. 34 counts "7 days beginning with
the day after the sponsor was first aware" (day 0 = awareness, due on day 7); C.05.014(2) counts 8 days "after
having informed the Minister" (from the report made, not from its due day).
"""

import datetime as dt

import pytest

from trialdesk.safety import event_file
from trialdesk.safety.rules import clocks, rulebook

BASE = {
    "product": "drug",
    "serious": True,
    "seriousness": ["hospitalization"],
    "expected": False,
    "related": True,
    "site_aware_at": "2025-03-03T08:00:00+01:00",
    "sponsor_aware_at": "2025-03-03T09:00:00+01:00",
    "site_timezone": "Europe/Berlin",
    "sponsor_timezone": "Europe/Berlin",
}
FATAL = {"seriousness": ["death"]}
LT = {"seriousness": ["life_threatening"]}
DEVICE_UADE = {"product": "device", "unanticipated_device_effect": True}
REPORTED = "2025-03-05T10:00:00+01:00"  # the initial report made on Wednesday 5 March
SIGNIFICANT = [{"received_at": "2025-03-07T10:00:00+01:00", "significant": True}]
APRIL_2026 = {"site_aware_at": "2026-05-04T08:00:00+01:00", "sponsor_aware_at": "2026-05-04T09:00:00+01:00"}


def made(key):
    return {"submitted": [{"key": key, "at": REPORTED}]}


RULES = [
    # (key, jurisdiction, facts, expected due: a day, or a moment for an hours clock)
    ("PROTOCOL-SAE-SPONSOR", "US", {}, "2025-03-04T08:00:00+01:00"),
    ("US-IND-15D", "US", {}, "2025-03-18"),
    ("US-IND-15D-INVESTIGATORS", "US", {}, "2025-03-18"),
    ("US-IND-7D", "US", FATAL, "2025-03-10"),
    ("US-IND-FOLLOW-UP/v2", "US", {**made("US-IND-15D"), "information": SIGNIFICANT}, "2025-03-22"),
    # 10 working days from Monday 3 March: no US federal holiday in March 2025.
    ("US-IDE-INVESTIGATOR-SPONSOR", "US", DEVICE_UADE, "2025-03-17"),
    ("US-IDE-INVESTIGATOR-IRB", "US", DEVICE_UADE, "2025-03-17"),
    ("US-IDE-SPONSOR-FDA", "US", DEVICE_UADE, "2025-03-17"),
    ("US-IDE-SPONSOR-IRBS", "US", DEVICE_UADE, "2025-03-17"),
    ("US-IDE-SPONSOR-INVESTIGATORS", "US", DEVICE_UADE, "2025-03-17"),
    ("EU-SUSAR-7D", "EU", FATAL, "2025-03-10"),
    ("EU-SUSAR-7D-FOLLOW-UP", "EU", {**FATAL, **made("EU-SUSAR-7D")}, "2025-03-13"),
    ("EU-SUSAR-15D", "EU", {}, "2025-03-18"),
    ("EU-SUSAR-FOLLOW-UP/v2", "EU", {**made("EU-SUSAR-15D"), "information": SIGNIFICANT}, "2025-03-22"),
    ("EU-MDR-SAE-2D", "EU", {"product": "device", "imminent_risk": True}, "2025-03-05"),
    ("EU-MDR-SAE-7D", "EU", {"product": "device"}, "2025-03-10"),
    (
        "EU-MDR-DD-2D",
        "EU",
        {"product": "device", "device_deficiency": True, "imminent_risk": True},
        "2025-03-05",
    ),
    ("EU-MDR-DD-7D", "EU", {"product": "device", "device_deficiency": True}, "2025-03-10"),
    (
        "EU-MDR-NEW-FINDINGS/v2",
        "EU",
        {"product": "device", **made("EU-MDR-SAE-7D"), "information": SIGNIFICANT},
        "2025-03-14",
    ),
    ("UK-SUSAR-7D", "UK", LT, "2025-03-10"),
    ("UK-SUSAR-7D-FOLLOW-UP", "UK", {**LT, **made("UK-SUSAR-7D")}, "2025-03-13"),
    ("UK-SUSAR-REC-7D", "UK", LT, "2025-03-10"),
    ("UK-SUSAR-REC-7D-FOLLOW-UP", "UK", {**LT, **made("UK-SUSAR-REC-7D")}, "2025-03-13"),
    ("UK-SUSAR-15D", "UK", {}, "2025-03-18"),
    ("UK-SUSAR-REC-15D", "UK", {}, "2025-03-18"),
    # From 28 April 2026 (SI 2025/538 reg. 25): the same periods, the MHRA only.
    ("UK-SUSAR-7D", "UK", {**LT, **APRIL_2026}, "2026-05-11"),
    ("UK-SUSAR-15D", "UK", APRIL_2026, "2026-05-19"),
    ("CA-ADR-7D", "CA", FATAL, "2025-03-10"),
    ("CA-ADR-7D-COMPLETE", "CA", {**FATAL, **made("CA-ADR-7D")}, "2025-03-13"),
    ("CA-ADR-15D", "CA", {}, "2025-03-18"),
    ("JP-ADR-7D", "JP", FATAL, "2025-03-10"),
    ("JP-ADR-15D", "JP", {}, "2025-03-18"),
    ("JP-KNOWN-FATAL-15D", "JP", {**FATAL, "expected": True}, "2025-03-18"),
    (
        "JP-FOREIGN-MEASURE-15D",
        "JP",
        {"serious": False, "seriousness": [], "foreign_regulatory_measure": True},
        "2025-03-18",
    ),
    (
        "JP-RESEARCH-REPORT-15D",
        "JP",
        {"serious": False, "seriousness": [], "research_report": True},
        "2025-03-18",
    ),
    ("JP-GCP-NOTICE-7D", "JP", FATAL, "2025-03-10"),
    ("JP-GCP-NOTICE-15D", "JP", {}, "2025-03-18"),
    ("AU-SUSAR-7D", "AU", FATAL, "2025-03-10"),
    ("AU-SUSAR-7D-FOLLOW-UP", "AU", {**FATAL, **made("AU-SUSAR-7D")}, "2025-03-13"),
    ("AU-SUSAR-15D", "AU", {}, "2025-03-18"),
    ("AU-USADE-7D", "AU", {**DEVICE_UADE, **FATAL}, "2025-03-10"),
    ("AU-USADE-15D", "AU", DEVICE_UADE, "2025-03-18"),
    ("CH-SAE-EC-FATAL-7D", "CH", {**FATAL, "related": False}, "2025-03-10"),
    ("CH-SUSAR-EC-7D", "CH", FATAL, "2025-03-10"),
    ("CH-SUSAR-EC-15D", "CH", LT, "2025-03-18"),
    ("CH-SUSAR-SWISSMEDIC-7D", "CH", FATAL, "2025-03-10"),
    ("CH-SUSAR-SWISSMEDIC-15D", "CH", {}, "2025-03-18"),
    ("CN-SUSAR-7D", "CN", FATAL, "2025-03-10"),
    ("CN-SUSAR-7D-FOLLOW-UP", "CN", {**FATAL, **made("CN-SUSAR-7D")}, "2025-03-13"),
    ("CN-SUSAR-15D", "CN", {}, "2025-03-18"),
    ("IN-SAE-CLA-24H", "IN", {"expected": True}, "2025-03-04T08:00:00+01:00"),
    ("IN-SAE-EC-24H", "IN", {"related": False}, "2025-03-04T08:00:00+01:00"),
    ("IN-SAE-ANALYSIS-14D", "IN", {}, "2025-03-17"),
    ("BR-SUSAR-7D", "BR", LT, "2025-03-10"),
    ("BR-SUSAR-15D", "BR", {}, "2025-03-18"),
    ("KR-SUSAR-7D", "KR", FATAL, "2025-03-10"),
    ("KR-SUSAR-15D", "KR", {}, "2025-03-18"),
    ("IL-DEATH-EC-48H", "IL", {**FATAL, "expected": True}, "2025-03-05T08:00:00+01:00"),
    ("IL-SUSAR-INVESTIGATORS-7D", "IL", FATAL, "2025-03-10"),
    ("IL-SUSAR-INVESTIGATORS-15D", "IL", {}, "2025-03-18"),
]


@pytest.mark.parametrize("key, jurisdiction, facts, expected", RULES, ids=[f"{r[0]}@{r[3]}" for r in RULES])
def test_each_rule_is_due_as_its_citation_counts(key, jurisdiction, facts, expected):
    raw = {**BASE, "jurisdictions": [jurisdiction], **facts}
    if raw["seriousness"] == [] and "serious" not in facts:
        raw["serious"] = False
    found = {o.key: o for o in clocks.obligations_for(event_file.parse_event(raw))}
    assert key in found, f"{key} not created; got {sorted(found)}"
    obligation = found[key]
    if "T" in expected:
        assert obligation.due_at.isoformat() == expected
    else:
        assert obligation.due_on == dt.date.fromisoformat(expected)


def test_every_rule_is_a_row():
    shipped = {rule.id for rules in rulebook.rulebook().values() for rule in rules}
    rows = {key.split("/")[0] for key, *_ in RULES}
    assert shipped - rows == set()


@pytest.mark.parametrize(
    "rule",
    [r for rules in rulebook.rulebook().values() for r in rules],
    ids=lambda r: f"{r.id}:{r.in_force_from}",
)
def test_each_rule_cites_its_source_and_says_whether_it_was_verified(rule):
    citation = rule.citation
    assert rule.rule and {"instrument", "article", "paragraph", "in_force", "source", "read"} <= set(citation)
    assert citation["source"].startswith("https://") and citation["read"]
    assert isinstance(rule.verified, bool)
    if rule.verified:
        assert citation["read"].startswith("Read"), "a verified rule says what was read"
    if rule.in_force_from and rule.in_force_until:
        assert rule.in_force_from < rule.in_force_until


def test_a_rule_changed_by_law_has_versions_that_do_not_overlap():
    for rules in rulebook.rulebook().values():
        by_id = {}
        for rule in rules:
            by_id.setdefault(rule.id, []).append(rule)
        for versions in by_id.values():
            ordered = sorted(versions, key=lambda r: r.in_force_from or dt.date.min)
            for earlier, later in zip(ordered, ordered[1:], strict=False):
                assert earlier.in_force_until is not None and earlier.in_force_until <= later.in_force_from


@pytest.mark.parametrize(
    "country", ["AU", "CH", "CN", "IN", "BR", "KR", "IL", "US", "GB", "CA", "JP", "DE", "NO"]
)
def test_the_countries_of_multinational_trials_have_rules(country):
    assert rulebook.jurisdiction_of_country(country) is not None
