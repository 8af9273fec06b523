"""The adverse-event KRIs are gsm's kri0001 and kri0002: their definitions match gsm's reportingMetrics
table (tests/data/reference/gsm/gsm_reportingMetrics.csv), and they count events over participant-days."""

import csv
import datetime as dt

import pytest

from tests.factories import make_participant
from tests.reference_data import REFERENCE_DATA
from trialdesk.safety.kris import DEFINITIONS
from trialdesk.safety.tests.factories import make_adverse_event
from trialdesk.statistics import kris


def gsm_metrics() -> dict[str, dict]:
    path = REFERENCE_DATA / "reference" / "gsm" / "gsm_reportingMetrics.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["ID"]: row for row in csv.DictReader(handle)}


@pytest.mark.parametrize("definition", DEFINITIONS, ids=[d.key for d in DEFINITIONS])
def test_the_ae_kris_are_gsms(definition):
    gsm = gsm_metrics()[definition.gsm_id]
    assert definition.metric_type == gsm["AnalysisType"] == "rate"
    assert definition.thresholds == tuple(float(t) for t in gsm["Threshold"].split(","))
    assert definition.min_denominator == float(gsm["nMinDenominator"])
    assert (definition.numerator, gsm["Numerator"]) in (
        ("Adverse events", "Adverse Events"),
        ("Serious adverse events", "Serious Adverse Events"),
    )


@pytest.mark.django_db
def test_events_over_participant_days_per_site(world, clock):
    clock.move_to("2025-04-10T12:00Z")
    participant = make_participant(world.site_a1, "101-001", by=world.admin, enrolled_on=dt.date(2025, 3, 1))
    make_adverse_event(participant, by=world.admin)
    make_adverse_event(participant, by=world.admin, seriousness=[], grade=1)
    rows = {r.definition.key: r for r in kris.study_kris(world.crm, world.study_a, ("ae_rate", "sae_rate"))}
    a1 = {key: next(row for row in result.rows if row.site == world.site_a1) for key, result in rows.items()}
    assert (a1["ae_rate"].numerator, a1["ae_rate"].denominator) == (2, 40)  # 1 Mar to 10 Apr: 40 days
    assert (a1["sae_rate"].numerator, a1["sae_rate"].denominator) == (1, 40)
