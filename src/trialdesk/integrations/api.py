"""The integrations part of the JSON API."""

from ninja import Router

from trialdesk.integrations.bulk.api import router as bulk_router
from trialdesk.integrations.fhir.api import router as fhir_router
from trialdesk.integrations.odm.api import router as odm_router
from trialdesk.integrations.registry.api import router as registry_router

router = Router(tags=["integrations"])

router.add_router("", fhir_router)
router.add_router("", odm_router)
router.add_router("", registry_router)
router.add_router("", bulk_router)
