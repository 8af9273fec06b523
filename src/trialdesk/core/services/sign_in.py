"""Signing in with a password: failures counted, too many lock the account for a while."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trialdesk.core import audit
from trialdesk.core.models import User


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
