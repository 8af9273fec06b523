"""Criteria from a study's ClinicalTrials.gov record (imported by integrations): the age and sex fields
become rules in use, the criteria text is split into items, common patterns become suggested rules."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError

from tests.reference_data import REFERENCE_DATA
from trialdesk.integrations.registry.services import import_record
from trialdesk.interop import ctgov
from trialdesk.recruitment import services
from trialdesk.recruitment.models import CriterionSource
from trialdesk.studies.models import Study


def imported_study(world, nct: str) -> Study:
    record = json.loads((REFERENCE_DATA / "ctgov" / "v2" / f"{nct}.json").read_text())
    import_record(ctgov.parse_record(record), by=world.crm, today=dt.date(2026, 1, 15))
    return Study.objects.get(code=nct)


def test_a_registry_record_becomes_criteria_with_rules_and_suggestions(world):
    study = imported_study(world, "NCT00763412")
    made = services.import_registry_criteria(study=study, by=world.crm)
    first = made[0]
    assert (first.text, first.rule, first.rule_confirmed) == (
        "Ages: 12 Years to 24 Years",
        {"kind": "age", "minimum": 12, "maximum": 24, "unit": "years"},
        True,
    )
    assert all(c.source == CriterionSource.REGISTRY for c in made)
    assert [c.section for c in made].count("exclusion") == 6
    suggested = [c for c in made[1:] if c.rule]
    assert [(c.text, c.rule_confirmed) for c in suggested] == [("Male or females 12 -24 years old", False)]


def test_importing_twice_is_refused(world):
    study = imported_study(world, "NCT00763412")
    services.import_registry_criteria(study=study, by=world.crm)
    with pytest.raises(ValidationError, match="already"):
        services.import_registry_criteria(study=study, by=world.crm)


def test_a_study_without_a_registry_record_is_told_so(world):
    with pytest.raises(ValidationError, match="no ClinicalTrials.gov record"):
        services.import_registry_criteria(study=world.study_a, by=world.crm)
