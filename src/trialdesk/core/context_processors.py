"""Template context every page needs: which navigation links the signed-in person may use, and the roles
the header names."""

from trialdesk.core.roles import Role
from trialdesk.core.scoping import is_administrator, role_facts

ROLE_LABELS = dict(Role.choices)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # role_facts is cached on the user (one query a request), so the permission checks that follow and
    # the header's roles cost no more queries.
    return {
        "may_manage_people": is_administrator(user) or role_facts(user).has_role_anywhere(Role.CRM),
        "header_roles": held_role_labels(user),
    }


def held_role_labels(user) -> list[str]:
    """The labels of the roles `user` holds anywhere, once each, in the order of their keys."""
    facts = role_facts(user)
    held = {role for roles in (*facts.study_roles.values(), *facts.site_roles.values()) for role in roles}
    if facts.is_administrator:
        held.add(Role.ADMINISTRATOR)
    return [ROLE_LABELS.get(role, role) for role in sorted(held)]
