"""User accounts and passwords, managed by administrators (people are deactivated, never deleted)."""

import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trialdesk.core import audit
from trialdesk.core.models import User
from trialdesk.core.permissions import require
from trialdesk.core.records import require_reason
from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator

ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active")


def account_snapshot(user: User) -> dict:
    """The audited facts of an account (never its password hash)."""
    return {name: getattr(user, name) for name in ACCOUNT_FIELDS}


def may_manage_accounts(user: User | None) -> bool:
    """Administrators manage accounts; so does the command line (None)."""
    return user is None or is_administrator(user)


def one_time_password() -> str:
    """A random password to hand to a person once, for their first sign-in (16 characters)."""
    return secrets.token_urlsafe(12)


def _password_errors(password: str, user: User, field: str) -> dict:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {field: error.messages}
    return {}


@transaction.atomic
def create_user(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str = "",
    administrator: bool = False,
    by: User | None,
) -> tuple[User, str]:
    """Open an account. Without a password a one-time password is generated and returned (else "")."""
    require(may_manage_accounts(by), "Only administrators create accounts.")
    user = User(
        username=(username or "").strip(),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=(email or "").strip(),
    )
    generated = "" if password else one_time_password()
    errors = _password_errors(password, user, "password") if password else {}
    user.set_password(password or generated)
    if User.objects.filter(username__iexact=user.username).exists():
        errors["username"] = [f"Someone already has the username {user.username!r}."]
    try:
        user.full_clean(exclude=["username"] if "username" in errors else None)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.save(force_insert=True)
    audit.record(
        target=user,
        action="user.created",
        by=by,
        before=None,
        after=account_snapshot(user),
        reason="account opened",
    )
    if administrator:
        from trialdesk.core.services.roles import assign_role  # roles builds on accounts, not the reverse

        assign_role(user=user, role=Role.ADMINISTRATOR, by=by)
    return user, generated


@transaction.atomic
def _set_active(user: User, *, active: bool, by: User | None, reason: str, action: str) -> User:
    current = User.objects.select_for_update().get(pk=user.pk)
    if current.is_active == active:
        state = "active" if active else "deactivated"
        raise ValidationError({"is_active": f"This account is already {state}."})
    before = account_snapshot(current)
    current.is_active = active
    current.save(update_fields=["is_active"])
    audit.record(
        target=current, action=action, by=by, before=before, after=account_snapshot(current), reason=reason
    )
    user.is_active = active
    return current


def deactivate_user(*, user: User, by: User | None, reason: str) -> User:
    """Close an account: the person can no longer sign in or use their API tokens.

    Accounts are never deleted, because the audit trail names the people who made each change.
    """
    require(may_manage_accounts(by), "Only administrators deactivate accounts.")
    reason = require_reason(reason)
    if by is not None and by.pk == user.pk:
        raise ValidationError({"is_active": "You cannot deactivate your own account."})
    return _set_active(user, active=False, by=by, reason=reason, action="user.deactivated")


def reactivate_user(*, user: User, by: User | None, reason: str) -> User:
    require(may_manage_accounts(by), "Only administrators reactivate accounts.")
    return _set_active(user, active=True, by=by, reason=require_reason(reason), action="user.reactivated")


@transaction.atomic
def reset_password(*, user: User, by: User | None, password: str = "") -> str:
    """Give a person a new password (a generated one-time password unless one is given); unlocks them."""
    require(may_manage_accounts(by), "Only administrators reset passwords.")
    errors = _password_errors(password, user, "password") if password else {}
    if errors:
        raise ValidationError(errors)
    generated = "" if password else one_time_password()
    current = User.objects.select_for_update().get(pk=user.pk)
    before = {"locked_until": current.locked_until, "failed_login_count": current.failed_login_count}
    current.set_password(password or generated)
    current.locked_until, current.failed_login_count = None, 0
    current.save(update_fields=["password", "locked_until", "failed_login_count"])
    audit.record(
        target=current,
        action="user.password_reset",
        by=by,
        before=before,
        after={"locked_until": None, "failed_login_count": 0},
        reason="password reset by an administrator",
    )
    return generated


@transaction.atomic
def change_own_password(*, user: User, current_password: str, new_password: str) -> User:
    """A person changes their own password, proving they know the current one."""
    if not user.check_password(current_password or ""):
        raise ValidationError({"current_password": "This is not your current password."})
    if new_password == current_password:
        raise ValidationError({"new_password": "Choose a password different from the current one."})
    errors = _password_errors(new_password, user, "new_password")
    if errors:
        raise ValidationError(errors)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(
        target=user, action="user.password_changed", by=user, before=None, after=None, reason="own password"
    )
    return user


# --- roles -------------------------------------------------------------------------------------


# --- preferences -------------------------------------------------------------------------------


@transaction.atomic
def set_preferences(*, user: User, language: str, time_zone: str) -> User:
    """A person chooses the language of their pages (with its date and number formats) and their time
    zone; blank is no choice (the browser's language, UTC)."""
    errors = {}
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = _("'%(language)s' is not one of Trialdesk's languages.") % {"language": language}
    if time_zone and time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _(
            "'%(zone)s' is not an IANA time zone (for example Europe/Berlin or Asia/Tokyo)."
        ) % {"zone": time_zone}
    if errors:
        raise ValidationError(errors)
    before = {"language": user.language, "time_zone": user.time_zone}
    user.language, user.time_zone = language, time_zone
    user.save(update_fields=["language", "time_zone"])
    audit.record(
        target=user,
        action="user.preferences_changed",
        by=user,
        before=before,
        after={"language": language, "time_zone": time_zone},
        reason="own preferences",
    )
    return user
