"""API schemas of notifications (separate In and Out)."""

import datetime as dt

from ninja import Field, Schema

from trialdesk.core.apiutils import InSchema, PageQuery
from trialdesk.notifications.rules import Delivery, Kind


class NotificationOut(Schema):
    id: int
    kind: Kind = Field(description="What the notification is about: " + ", ".join(Kind.values) + ".")
    title: str
    body: str
    url: str = Field(description="The page where the person acts on it.")
    study_code: str = Field("", description="The study it is about (empty when about none).")
    created_at: dt.datetime = Field(description="When it was raised (UTC).")
    read_at: dt.datetime | None = Field(None, description="When it was marked read (UTC); null while unread.")
    read: bool

    @staticmethod
    def resolve_study_code(notification) -> str:
        return notification.study.code if notification.study_id else ""

    @staticmethod
    def resolve_read(notification) -> bool:
        return notification.read_at is not None


class NotificationQuery(PageQuery):
    unread: bool | None = Field(None, description="true: only unread ones; false: only read ones.")
    kind: Kind | None = Field(None, description="Only notifications of this kind.")


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many unread notifications were marked read.")


class DeliveryPreferenceOut(Schema):
    kind: Kind
    label: str
    delivery: Delivery


class DeliveryPreferenceIn(InSchema):
    kind: Kind = Field(description="Which kind of notification.")
    delivery: Delivery = Field(
        description="immediately (one e-mail each), daily (the digest) or off (no e-mail)."
    )
