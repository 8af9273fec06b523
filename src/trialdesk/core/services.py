"""Writes for users: signing in with lockout, API tokens, role assignments."""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trialdesk.core import audit
from trialdesk.core.models import ApiToken, RoleAssignment, User
from trialdesk.core.scoping import forget_role_facts

TOKEN_PREFIX = "td_"


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str = ""


def sign_in(*, request, username: str, password: str) -> SignInResult:
    """Check a password, counting failures; too many lock the account for a while."""
    now = timezone.now()
    account = User.objects.filter(username=username).first()
    if account and account.locked_until and account.locked_until > now:
        minutes = max(1, int((account.locked_until - now).total_seconds() // 60) + 1)
        return SignInResult(
            None,
            f"This account is locked after repeated failed sign-ins; try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
        )
    user = authenticate(request, username=username, password=password)
    if user is not None:
        if user.failed_login_count or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        return SignInResult(user)
    if account is not None:
        _count_failure(account, now)
    return SignInResult(None, "Username or password is not correct.")


@transaction.atomic
def _count_failure(account: User, now: dt.datetime) -> None:
    User.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
    account.refresh_from_db(fields=["failed_login_count"])
    if account.failed_login_count >= settings.LOGIN_MAX_FAILED_ATTEMPTS:
        until = now + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        User.objects.filter(pk=account.pk).update(locked_until=until, failed_login_count=0)
        audit.record(
            target=account,
            action="user.locked",
            by=None,
            before=None,
            after={"locked_until": until},
            reason=f"{settings.LOGIN_MAX_FAILED_ATTEMPTS} failed sign-ins",
        )


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


@transaction.atomic
def assign_role(*, user: User, role: str, study=None, study_site=None, by: User | None) -> RoleAssignment:
    if study_site is not None and study is None:
        study = study_site.study
    assignment = RoleAssignment(user=user, role=role, study=study, study_site=study_site)
    assignment.full_clean()
    assignment.save()
    audit.record(
        target=assignment,
        action="roleassignment.created",
        by=by,
        before=None,
        after={
            "user": user.username,
            "role": role,
            "study": assignment.study_id,
            "study_site": assignment.study_site_id,
        },
        reason="role granted",
        study_id=assignment.study_id,
        study_site_id=assignment.study_site_id,
    )
    forget_role_facts(user)
    return assignment
