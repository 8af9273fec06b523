"""Reading notifications: a person's inbox and unread count, their e-mail choices, their landing page."""

from trialdesk.core.roles import Role
from trialdesk.core.scoping import role_facts
from trialdesk.notifications import rules
from trialdesk.notifications.models import DeliveryPreference, HomePage, HomePreference, Notification

# Roles whose holders have work due at sites or in studies (not read-only, not the administrator).
WORKING_ROLES = frozenset({Role.MONITOR, Role.COORDINATOR, Role.INVESTIGATOR, Role.SAFETY, Role.FINANCE})


def inbox_for(user, *, unread_only: bool = False, kind: str = ""):
    """The person's notifications, newest first (only their own, about studies they may still see)."""
    found = Notification.objects.visible_to(user).select_related("study")
    if unread_only:
        found = found.unread()
    if kind:
        found = found.filter(kind=kind)
    return found


def unread_count(user) -> int:
    """One query: how many of the person's notifications are unread (the page header's badge)."""
    return Notification.objects.visible_to(user).unread().count()


def deliveries_for(user) -> dict[str, str]:
    """{kind: delivery} for every kind: the person's choice, else the kind's default."""
    chosen = dict(DeliveryPreference.objects.filter(person=user).values_list("kind", "delivery"))
    return {kind: rules.delivery_for(kind, chosen) for kind in rules.Kind.values}


def home_of(user) -> str:
    """Where the person lands after signing in: their choice; else "my work" for people whose work is at
    sites or in studies (CRAs, site staff, safety and finance staff), the portfolio for CRMs (who manage
    studies as a portfolio; "my work" is one choice away), read-only roles and administrators."""
    chosen = HomePreference.objects.filter(person=user).values_list("home", flat=True).first()
    if chosen:
        return chosen
    facts = role_facts(user)
    roles = set().union(*facts.study_roles.values(), *facts.site_roles.values())
    if Role.CRM in roles or not roles & WORKING_ROLES:
        return HomePage.PORTFOLIO
    return HomePage.MY_WORK
