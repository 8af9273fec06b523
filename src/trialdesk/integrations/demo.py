"""The integrations part of the demo portfolio, loaded after studies, sites and participants exist."""

import datetime as dt

from trialdesk.core.demo import DemoContext
from trialdesk.integrations.registry_demo import load_registry_demo


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    load_registry_demo(today=today, users=users)


def load(demo: DemoContext) -> None:
    """The demo step (core.extensions.demo_loaders): this area's records for the demo people."""
    load_demo(today=demo.today, users=demo.users)
