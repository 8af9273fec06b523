"""Fills a fresh database for the reports browser test: `python -m trialdesk.reporting.tests.browser_seed`."""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world
    from trialdesk.reporting.tests.factories import world_with_safety

    world = build_world()
    world_with_safety(world)
    print(f"seeded: study {world.study_a.code} (id {world.study_a.pk})")


if __name__ == "__main__":
    main()
