"""The integrations part of the demo portfolio, loaded after studies, sites and participants exist."""

import datetime as dt


def load_demo(*, today: dt.date, users: dict) -> None:
    """Add this area's demo records; `users` maps demo usernames (crm, admin, …) to users."""
    from trialdesk.integrations.registry_demo import load_registry_demo

    load_registry_demo(today=today, users=users)
