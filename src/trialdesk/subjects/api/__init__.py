"""API operations on screening entries, participants (create = enroll), consents and withdrawals, consent
versions and their site approvals, the re-consent list and the diversity plan.

Reads start from what the user may see (out of scope answers 404); writes go through subjects.services,
after the permission question, so a read-only role hears 403 rather than a complaint about its input.
"""

from ninja import Router

from trialdesk.subjects.api import participants, setup

router = Router(tags=["participants"])
router.add_router("", participants.router)
router.add_router("", setup.router)
