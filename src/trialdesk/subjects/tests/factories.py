"""Builders for participant test data, through the services: enrolling sites, consent versions approved
at sites, screening entries, consents and enrolled participants."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from trialdesk.core.models import User
from trialdesk.sites import services as site_services
from trialdesk.sites.models import StudySite
from trialdesk.subjects import services
from trialdesk.subjects.models import ConsentVersion, Participant, ScreeningEntry

TO_ENROLLING = ("under_feasibility", "selected", "start_up", "activated", "enrolling")
SIGNED = dt.datetime(2025, 3, 3, 10, 0, tzinfo=dt.UTC)


def make_enrolling(site: StudySite, *, by: User) -> StudySite:
    """Walk a site along its lifecycle until it is enrolling."""
    for status in TO_ENROLLING[TO_ENROLLING.index(site.status) + 1 if site.status in TO_ENROLLING else 0 :]:
        site = site_services.change_site_status(study_site=site, to=status, by=by, reason="test set-up")
    return site


def make_consent_version(
    study,
    *,
    by: User,
    label: str = "1.0",
    language: str = "en",
    effective_on: dt.date = dt.date(2025, 1, 1),
    approved_at: Iterable[StudySite] = (),
    approved_on: dt.date = dt.date(2025, 2, 1),
    optional_items: Iterable[str] = (),
    protocol_version=None,
) -> ConsentVersion:
    version = services.create_consent_version(
        study=study,
        protocol_version=protocol_version or study.protocol_versions.order_by("id").first(),
        label=label,
        language=language,
        effective_on=effective_on,
        optional_items=list(optional_items),
        by=by,
    )
    for site in approved_at:
        services.record_consent_approval(
            consent_version=version, study_site=site, approved_on=approved_on, by=by
        )
    return version


def make_screening_entry(
    site: StudySite,
    number: str,
    *,
    by: User,
    screened_on: dt.date = dt.date(2025, 3, 1),
    outcome: str = "passed",
    **values,
) -> ScreeningEntry:
    return services.create_screening_entry(
        study_site=site, screening_number=number, screened_on=screened_on, outcome=outcome, by=by, **values
    )


def make_enrolled(
    site: StudySite,
    screening_number: str,
    *,
    by: User,
    version: ConsentVersion,
    signed_at: dt.datetime = SIGNED,
    enrolled_on: dt.date = dt.date(2025, 3, 4),
    **enrollment,
) -> Participant:
    """Screen, consent and enroll one person at an enrolling site with an approved consent version."""
    entry = make_screening_entry(site, screening_number, by=by)
    services.record_consent(screening_entry=entry, consent_version=version, signed_at=signed_at, by=by)
    return services.enroll_participant(screening_entry=entry, enrolled_on=enrolled_on, by=by, **enrollment)


def make_study_ready(study, sites: Iterable[StudySite], *, by: User) -> ConsentVersion:
    """Sites enrolling and one English consent version approved at each; returns the version."""
    sites = [make_enrolling(site, by=by) for site in sites]
    return make_consent_version(study, by=by, approved_at=sites)


def make_diversity_target(
    study, *, by: User, dimension: str = "sex", group: str = "female", percent: str = "50"
):
    return services.create_diversity_target(
        study=study, dimension=dimension, group=group, target_percent=Decimal(percent), by=by
    )
