"""Personal API tokens: created and shown once, stored as a SHA-256, revoked, looked up."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trialdesk.core import audit
from trialdesk.core.models import ApiToken, User

TOKEN_PREFIX = "td_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str, by: User) -> tuple[ApiToken, str]:
    """Create a personal API token; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name, e.g. the script that will use it."})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:11], token_hash=hash_token(raw))
    audit.record(
        target=token,
        action="apitoken.created",
        by=by,
        before=None,
        after={"user": user.username, "name": token.name, "prefix": token.prefix},
        reason="created",
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            target=token,
            action="apitoken.revoked",
            by=by,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
            reason="revoked",
        )
    return token


def user_for_token(raw: str) -> User | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- accounts ----------------------------------------------------------------------------------

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active")
