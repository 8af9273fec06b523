"""Signing in with a password: failures counted per account (locking it for a while) and per client.

Whatever the reason a sign-in fails (no such username, a wrong password, an account locked after
repeated failures, a deactivated account) the answer is the same sentence, and the password hasher runs
in every case, so neither the answer nor its timing tells an attacker which usernames exist or are locked.
A client (an IP address) with too many recent failures, whatever the usernames, is refused before any
password is checked (django-axes, AXES_* settings); that answer says so, as it tells nothing about accounts.
"""

import datetime as dt
import ipaddress
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop, ngettext

from trialdesk.core import audit
from trialdesk.core.models import User

# Kept in English here (tests and logs compare it); the sign-in page shows it translated.
SIGN_IN_REFUSED = gettext_noop(
    "The username or password is not correct, or the account is locked for a while after repeated "
    "failed sign-ins."
)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    problem: str = ""
    # Too many failed sign-ins from this client: the page answers 429 Too Many Requests.
    client_locked_out: bool = False


def client_locked_out_problem() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Too many failed sign-ins from your network; try again in %(minutes)d minute.",
        "Too many failed sign-ins from your network; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def client_ip(request) -> str | None:
    """The address sign-in failures are counted by: REMOTE_ADDR, or, behind a reverse proxy that sets
    settings.CLIENT_IP_HEADER, the last address in that header (the one the proxy saw)."""
    if settings.CLIENT_IP_HEADER:
        claimed = request.headers.get(settings.CLIENT_IP_HEADER, "").split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(claimed))
        except ValueError:
            pass  # no header, or not an address: count by the connection's own address
    return request.META.get("REMOTE_ADDR")


def sign_in(*, request, username: str, password: str) -> SignInResult:
    """Check a password, counting failures; too many lock the account, or the client, for a while."""
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        return SignInResult(None, client_locked_out_problem(), client_locked_out=True)
    now = timezone.now()
    account = User.objects.filter(username=username).first()
    locked = bool(account and account.locked_until and account.locked_until > now)
    # Checked even for a locked account (and, by Django, hashed for an unknown username): same timing.
    user = authenticate(request, username=username, password=password)
    if user is not None and not locked:
        if user.failed_login_count or user.locked_until:
            User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        return SignInResult(user)
    if account is not None and not locked:
        _count_failure(account, now)
    return SignInResult(None, SIGN_IN_REFUSED)


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
