"""The documents part of the JSON API: the TMF Reference Model, expected documents, filing and downloads.

Reads start from what the user may see (out of scope answers 404); writes ask the permission question
before looking at the input, so a read-only role hears 403 rather than a complaint about a missing file.
Every download is audited and served only after its checksum is verified.
"""

from ninja import Router

from trialdesk.documents.api import artifacts, documents, expected, profiles

router = Router(tags=["documents"])
router.add_router("", artifacts.router)
router.add_router("", expected.router)
router.add_router("", documents.router)
router.add_router("", profiles.router)
