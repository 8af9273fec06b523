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

from trialdesk.core.services.accounts import (
    ACCOUNT_FIELDS,
    account_snapshot,
    change_own_password,
    create_user,
    deactivate_user,
    may_manage_accounts,
    one_time_password,
    reactivate_user,
    reset_password,
    set_preferences,
)
from trialdesk.core.services.roles import (
    assign_creator_as_crm,
    assign_role,
    may_grant_role,
    may_revoke_role,
    revoke_role,
)
from trialdesk.core.services.sign_in import SignInResult, client_locked_out_problem, sign_in
from trialdesk.core.services.tokens import (
    TOKEN_PREFIX,
    create_api_token,
    hash_token,
    revoke_api_token,
    user_for_token,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "TOKEN_PREFIX",
    "SignInResult",
    "account_snapshot",
    "assign_creator_as_crm",
    "assign_role",
    "change_own_password",
    "client_locked_out_problem",
    "create_api_token",
    "create_user",
    "deactivate_user",
    "hash_token",
    "may_grant_role",
    "may_manage_accounts",
    "may_revoke_role",
    "one_time_password",
    "reactivate_user",
    "reset_password",
    "set_preferences",
    "revoke_api_token",
    "revoke_role",
    "sign_in",
    "user_for_token",
]
