"""API of notifications: the signed-in person's own notifications (list, mark read) and e-mail choices."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router

from trialdesk.core.apiutils import (
    CREATE_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    PageQuery,
    actor,
    page_schema,
    paginate,
    with_errors,
)
from trialdesk.notifications import rules, selectors, services
from trialdesk.notifications.schemas import (
    DeliveryPreferenceIn,
    DeliveryPreferenceOut,
    NotificationOut,
    NotificationQuery,
    NotificationsReadOut,
)

router = Router(tags=["notifications"])


@router.get("/notifications", response=with_errors({200: page_schema(NotificationOut)}, READ_ERRORS))
def list_notifications(request, query: Query[NotificationQuery]):
    """My notifications, newest first; `unread=true` for the unread ones only."""
    found = selectors.inbox_for(actor(request), kind=query.kind or "")
    if query.unread is not None:
        found = found.filter(read_at__isnull=query.unread)
    return paginate(found, query)


@router.post("/notifications/read-all", response=with_errors({200: NotificationsReadOut}, CREATE_ERRORS))
def mark_all_notifications_read(request):
    """Mark all my unread notifications read."""
    return {"marked": services.mark_all_read(by=actor(request))}


@router.post(
    "/notifications/{notification_id}/read", response=with_errors({200: NotificationOut}, WRITE_ERRORS)
)
def mark_notification_read(request, notification_id: int):
    """Mark one of my notifications read (marking it again changes nothing); another person's is 404."""
    user = actor(request)
    notification = get_object_or_404(selectors.inbox_for(user), pk=notification_id)
    return services.mark_read(notification=notification, by=user)


@router.get(
    "/notifications/preferences", response=with_errors({200: page_schema(DeliveryPreferenceOut)}, READ_ERRORS)
)
def list_notification_preferences(request, page: Query[PageQuery]):
    """How I get each kind of notification by e-mail (my choice, else the kind's default)."""
    return _page(_preferences(actor(request)), page)


@router.post(
    "/notifications/preferences",
    response=with_errors({200: page_schema(DeliveryPreferenceOut)}, CREATE_ERRORS),
)
def set_notification_preference(request, payload: DeliveryPreferenceIn):
    """Choose how I get one kind of notification by e-mail: immediately, daily (the digest) or off."""
    user = actor(request)
    services.set_deliveries(person=user, deliveries={payload.kind: payload.delivery})
    return _page(_preferences(user), PageQuery())


def _preferences(user) -> list[dict]:
    return [
        {"kind": kind, "label": rules.Kind(kind).label, "delivery": delivery}
        for kind, delivery in selectors.deliveries_for(user).items()
    ]


def _page(items: list, page: PageQuery) -> dict:
    return {
        "count": len(items),
        "limit": page.limit,
        "offset": page.offset,
        "items": items[page.offset : page.offset + page.limit],
    }
