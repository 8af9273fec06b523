"""The safety part of the JSON API: adverse events and follow-up versions, reporting obligations, line
listings, safety settings. Reads start from what the user may see (404 outside it); writes ask the
permission question first, so a read-only role hears 403 rather than a complaint about its input."""

from ninja import Router

from trialdesk.safety.api import adverse_events, line_listing, obligations, study_settings

router = Router(tags=["safety"])
router.add_router("", adverse_events.router)
router.add_router("", obligations.router)
router.add_router("", line_listing.router)
router.add_router("", study_settings.router)
