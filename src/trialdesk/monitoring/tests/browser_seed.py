"""Fills a fresh database for the monitoring browser test: `python -m` this module.

Study ONC-A with a monitoring plan; site 101 (Berlin) set up for its CRA (monitor_mia, based in
Frankfurt), a coordinator (coordinator_a1) and a participant; an interim visit conducted there
yesterday, so its report waits to be written.
"""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    import datetime as dt

    from tests.factories import build_world
    from trialdesk.monitoring.tests import factories as f

    world = build_world()
    f.plan(world)
    f.set_up(world)
    f.coordinator_at(world, world.site_a1)
    f.enrolled(world, world.site_a1, "101-001")
    visit = f.conducted(world, day=world.site_a1.local_today() - dt.timedelta(days=1))
    print(f"seeded: study {world.study_a.code} (id {world.study_a.pk}), report (id {visit.report.pk})")


if __name__ == "__main__":
    main()
