"""The monitoring API (registered in core.extensions.routes): reads start from what the user may see
(404 outside scope), writes ask the permission question first (403) and call monitoring.services."""

from ninja import Router

from trialdesk.monitoring.api import plans, quality, visits

router = Router(tags=["monitoring"])
router.add_router("", plans.router)
router.add_router("", visits.router)
router.add_router("", quality.router)
