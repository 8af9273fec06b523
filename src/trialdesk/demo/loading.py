"""Loading the demo portfolio: every app's demo step (core.extensions.demo_loaders) in one transaction.

Each step writes through its app's services, so every record arrives with its audit trail. The layout
is deterministic for a given day: each step draws from its own seed, dates are offsets from today,
and no actual date is ever later than yesterday (a site's local day may still be yesterday).
"""

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from trialdesk.core import extensions
from trialdesk.core.demo import DemoContext


def planned_steps() -> int:
    """How many steps `load_demo_portfolio` reports progress for (one per app's demo step)."""
    return len(extensions.demo_loaders)


def load_demo_portfolio(
    *, today: dt.date | None = None, progress: Callable[[str], None] | None = None
) -> DemoContext:
    """Load the demo portfolio in one transaction. `progress(description)` is called as each step
    starts (with advance) and as steps report their parts (a description with no advance)."""
    report = progress or (lambda description, advance=0: None)
    demo = DemoContext(
        today=today or timezone.now().date(), progress=lambda description: report(description, 0)
    )
    with transaction.atomic():
        for loader in extensions.demo_order():
            report(loader.label, 0)
            loader.load(demo)
            report(loader.label, 1)
    return demo
