"""Fills a fresh database for the amendment browser test: `python -m trialdesk.regulatory.tests.browser_seed`.

Study ONC-A enrolling at Berlin (101) and Tokyo (102) on consent v1.0, two participants at Berlin and one
at Tokyo, protocol v2.0 (amendment 1) submitted to the sponsor with its consent v2.0 written, and the
two sites' ethics committees in the directory.
"""

import datetime as dt
import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from django.utils import timezone

    from tests.factories import build_world
    from trialdesk.regulatory.tests.factories import make_committee
    from trialdesk.studies import services as study_services
    from trialdesk.subjects.tests.factories import make_consent_version, make_enrolled, make_study_ready

    world = build_world()
    old = make_study_ready(world.study_a, [world.site_a1, world.site_a2], by=world.admin)
    for site, number in ((world.site_a1, "S-1"), (world.site_a1, "S-2"), (world.site_a2, "S-3")):
        make_enrolled(site, number, by=world.admin, version=old)
    version = study_services.create_protocol_version(
        study=world.study_a,
        number="2.0",
        version_date=dt.date(2025, 4, 1),
        amendment_number=1,
        summary_of_changes="Dose reduction rules changed",
        by=world.admin,
    )
    today = timezone.now().date()
    # Submitted ten days ago: the sponsor's approval the test records six days ago comes after it.
    study_services.change_protocol_status(
        protocol_version=version,
        to="submitted",
        by=world.admin,
        reason="seed",
        on=today - dt.timedelta(days=10),
    )
    make_consent_version(
        world.study_a,
        by=world.admin,
        label="2.0",
        effective_on=today - dt.timedelta(days=10),
        protocol_version=version,
    )
    make_committee("Ethik-Kommission Berlin", by=world.admin)
    make_committee("Tokyo University IRB", by=world.admin, country="JP", committee_type="local_irb")
    print(f"seeded: study {world.study_a.code} (id {world.study_a.pk}), protocol v2.0 (id {version.pk})")


if __name__ == "__main__":
    main()
