"""API operations on schedules of activities, participants' visits, missed visits and deviations.

Reads start from what the user may see (out of scope answers 404); writes go through visits.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from ninja import Router

from trialdesk.visits.api import definitions, deviations, scheduled_visits

router = Router(tags=["visits"])
router.add_router("", definitions.router)
router.add_router("", scheduled_visits.router)
router.add_router("", deviations.router)
