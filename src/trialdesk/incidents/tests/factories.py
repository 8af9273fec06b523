"""Builders for incidents in tests."""

import datetime as dt

from django.utils import timezone

from trialdesk.incidents import services

FACTS = dict(
    kind="personal_data_breach",
    title="Laptop with the screening log lost",
    description="An unencrypted laptop holding the screening log was stolen from a car.",
    jurisdictions=["EU", "UK", "US"],
    sponsor_timezone="Europe/Berlin",
    affected_individuals=120,
    risk_to_individuals="high",
    hipaa_role="covered_entity",
)


def make_incident(study, *, by, study_site=None, hours_ago: float = 10, **overrides):
    values = {**FACTS, "aware_at": timezone.now() - dt.timedelta(hours=hours_ago), **overrides}
    return services.record_incident(study=study, by=by, study_site=study_site, **values)
