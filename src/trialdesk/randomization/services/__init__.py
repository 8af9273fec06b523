"""Writes of randomization: set up and activate a scheme, randomize a participant, unblind one, grant access.

Every write checks permission first, then validates, then saves and audits in one transaction.
"""

from trialdesk.randomization.services.randomizing import SLOT_ATTEMPTS, randomize
from trialdesk.randomization.services.schemes import (
    MANAGERS_ONLY,
    SCHEME_FIELDS,
    activate_scheme,
    create_scheme,
    update_scheme,
)
from trialdesk.randomization.services.unblinding import (
    grant_unblinded_access,
    mark_notifications_read,
    revoke_unblinded_access,
    unblind,
)

__all__ = [
    "MANAGERS_ONLY",
    "SCHEME_FIELDS",
    "SLOT_ATTEMPTS",
    "activate_scheme",
    "create_scheme",
    "grant_unblinded_access",
    "mark_notifications_read",
    "randomize",
    "revoke_unblinded_access",
    "unblind",
    "update_scheme",
]
