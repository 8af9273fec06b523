"""Writes for users: signing in with lockout, API tokens, accounts and passwords, role assignments.

Who may manage people (SPEC.md, "Users and what they may touch"):

- accounts (create, deactivate, reactivate, reset a password): administrators only;
- roles: administrators grant and revoke any role; a CRM grants and revokes study- and site-level
  roles, CRM included (a study may have co-CRMs, and a CRM hands a study over), on the studies they
  are CRM of, never Administrator; nobody else. Nobody removes their own Administrator role, and a
  CRM does not remove their own CRM role (another CRM of the study or an administrator does), so a
  study is never left without its manager by a slip.

`by=None` is the command line: the change is recorded as done by "system".
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from trialdesk.core import audit
from trialdesk.core.models import ApiToken, RoleAssignment, User
from trialdesk.core.permissions import can_manage_study, require
from trialdesk.core.records import require_reason
from trialdesk.core.roles import Role
from trialdesk.core.scoping import forget_role_facts, is_administrator

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


# --- accounts ----------------------------------------------------------------------------------

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


def may_grant_role(user: User | None, *, role: str, study_id: int | None) -> bool:
    """Administrators grant any role; a study's CRM grants study- and site-level roles on it."""
    if may_manage_accounts(user):
        return True
    if role == Role.ADMINISTRATOR or study_id is None:
        return False
    return can_manage_study(user, study_id)


def _assignment_facts(assignment: RoleAssignment) -> dict:
    return {
        "user": assignment.user.username,
        "role": assignment.role,
        "study": assignment.study_id,
        "study_site": assignment.study_site_id,
    }


def _refuse_duplicate(assignment: RoleAssignment) -> None:
    same = RoleAssignment.objects.filter(
        user=assignment.user_id, role=assignment.role, study_site=assignment.study_site_id
    )
    if assignment.study_site_id is None:
        same = same.filter(study=assignment.study_id)
    if same.exists():
        where = assignment.study_site or assignment.study or "the whole installation"
        raise ValidationError(
            {"role": f"{assignment.user.username} already holds {assignment.get_role_display()} on {where}."}
        )


@transaction.atomic
def assign_role(*, user: User, role: str, study=None, study_site=None, by: User | None) -> RoleAssignment:
    """Grant `role` to `user` for the installation, one study, or one study site (see the module's rules)."""
    if role not in Role.values:
        raise ValidationError({"role": f"There is no role {role!r}; choose one of {', '.join(Role.values)}."})
    if study_site is not None and study is not None and study_site.study_id != study.pk:
        raise ValidationError({"study_site": "This site belongs to another study."})
    if study_site is not None:
        study = study_site.study
    require(
        may_grant_role(by, role=role, study_id=study.pk if study else None),
        "Only an administrator, or the study's CRM for its own team, grants this role.",
    )
    if not user.is_active:
        raise ValidationError({"user": f"{user.username}'s account is deactivated; reactivate it first."})
    assignment = RoleAssignment(user=user, role=role, study=study, study_site=study_site)
    _refuse_duplicate(assignment)
    assignment.full_clean()
    assignment.save()
    audit.record(
        target=assignment,
        action="roleassignment.created",
        by=by,
        before=None,
        after=_assignment_facts(assignment),
        reason="role granted",
        study_id=assignment.study_id,
        study_site_id=assignment.study_site_id,
    )
    forget_role_facts(user)
    return assignment


@transaction.atomic
def assign_creator_as_crm(*, study, by: User) -> RoleAssignment:
    """The person who set a study up becomes its CRM: nobody else's permission is needed for that."""
    assignment = RoleAssignment(user=by, role=Role.CRM, study=study)
    _refuse_duplicate(assignment)
    assignment.save()
    audit.record(
        target=assignment,
        action="roleassignment.created",
        by=by,
        before=None,
        after=_assignment_facts(assignment),
        reason="set the study up",
        study_id=study.pk,
    )
    forget_role_facts(by)
    return assignment


def _study_of(assignment: RoleAssignment) -> int | None:
    return assignment.study_id or (assignment.study_site.study_id if assignment.study_site_id else None)


def may_revoke_role(user: User | None, assignment: RoleAssignment) -> bool:
    """As may_grant_role, except that nobody removes their own Administrator role, nor a CRM their own CRM."""
    if not may_grant_role(user, role=assignment.role, study_id=_study_of(assignment)):
        return False
    if user is None or user.pk != assignment.user_id:
        return True
    if assignment.role == Role.ADMINISTRATOR:
        return False
    return assignment.role != Role.CRM or is_administrator(user)


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, by: User | None, reason: str) -> None:
    """Take a role away (the assignment is deleted; the audit trail keeps what it was and why)."""
    require(
        may_revoke_role(by, assignment),
        "Only an administrator, or the study's CRM for its own team, revokes this role; "
        "nobody removes their own Administrator or CRM role.",
    )
    reason = require_reason(reason)
    current = RoleAssignment.objects.select_for_update().select_related("user").get(pk=assignment.pk)
    audit.record(
        target=current,
        action="roleassignment.revoked",
        by=by,
        before=_assignment_facts(current),
        after=None,
        reason=reason,
        study_id=_study_of(current),
        study_site_id=current.study_site_id,
    )
    current.delete()
    forget_role_facts(assignment.user)
