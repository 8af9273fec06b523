"""API operations on ethics committees, authorities, submissions and approvals, and amendment checklists.

Reads start from what the user may see (out of scope answers 404); writes go through regulatory.services,
asking the permission question first so a read-only role hears 403 rather than a complaint about input.
"""

from ninja import Router

from trialdesk.regulatory.api import amendments, committees, submissions

router = Router(tags=["regulatory"])
router.add_router("", committees.router)
router.add_router("", submissions.router)
router.add_router("", amendments.router)
