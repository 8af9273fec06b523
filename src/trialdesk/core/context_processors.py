"""Template context every page needs: which navigation links the signed-in person may use."""

from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator, role_facts


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # role_facts is cached on the user, so the permission checks that follow cost no more queries.
    return {"may_manage_people": is_administrator(user) or role_facts(user).has_role_anywhere(Role.CRM)}
