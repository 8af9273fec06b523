"""The page header's unread count: `{% load notifications %}{% unread_notifications as unread %}`."""

from django import template

from trialdesk.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """One query per page: the signed-in person's unread notifications (0 for anyone else)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
