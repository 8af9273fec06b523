"""Electronic signatures (21 CFR Part 11 §11.200): the signer proves who they are again when signing.

A signature in Trialdesk is the signed-in person re-entering their password for one act with a stated
meaning (e.g. "unblinding"). The record that carries the signature keeps the signer, the time in UTC and
the meaning; this module only answers whether the re-authentication succeeded.
"""

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from trialdesk.core.models import User

MISSING_PASSWORD = "Re-enter your password to sign."
WRONG_PASSWORD = "This is not your password; nothing was signed."


def reauthenticate(user: User, password: str) -> None:
    """Refuse the signature (a ValidationError on `password`) unless `password` is `user`'s own.

    The stored hash is checked without upgrading it, so signing never writes to the user's account.
    """
    if not password:
        raise ValidationError({"password": MISSING_PASSWORD})
    if not user.is_active or not user.has_usable_password() or not check_password(password, user.password):
        raise ValidationError({"password": WRONG_PASSWORD})
