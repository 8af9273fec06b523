"""Fills a fresh database for the safety browser test: `python -m trialdesk.safety.tests.browser_seed`."""

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trialdesk.settings")
    django.setup()
    from tests.factories import build_world, make_participant

    world = build_world()
    participant = make_participant(world.site_a1, "101-001", by=world.admin)
    print(f"seeded: study {world.study_a.code} (id {world.study_a.pk}), participant {participant.number}")


if __name__ == "__main__":
    main()
