"""The people part of the JSON API: training records, delegation-log entries, financial disclosures.

Reads start from what the user may see (out of scope answers 404); writes go through people.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from ninja import Router

from trialdesk.people.api import delegation, disclosures, training

router = Router(tags=["people"])
router.add_router("", training.router)
router.add_router("", delegation.router)
router.add_router("", disclosures.router)
