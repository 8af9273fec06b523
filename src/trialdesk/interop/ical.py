"""iCalendar (RFC 5545) feeds emitted from plain dataclasses with the `icalendar` library; no Django.

A deadline with a time (a reporting obligation, due at the end of a day in the reporting party's time
zone) is a timed event of zero length stamped in UTC; a deadline that is a day (a milestone) is an
all-day event (DTSTART;VALUE=DATE, DTEND the next day, RFC 5545 3.6.1).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event

PRODUCT_ID = "-//Trialdesk//Trialdesk deadlines//EN"


@dataclass(frozen=True)
class Deadline:
    """One calendar entry: a unique id, what is due, and when (a day, or an aware date and time)."""

    uid: str
    summary: str
    due: dt.date | dt.datetime
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    alarm_before: dt.timedelta | None = None


def emit_calendar(name: str, deadlines: Iterable[Deadline], *, stamped_at: dt.datetime) -> bytes:
    """The deadlines as one VCALENDAR; `stamped_at` (aware) is every event's DTSTAMP."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = stamped_at.astimezone(dt.UTC)
    for deadline in deadlines:
        calendar.add_component(_event(deadline, stamp))
    return calendar.to_ical()


def _event(deadline: Deadline, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", deadline.uid)
    event.add("dtstamp", stamp)
    event.add("summary", deadline.summary)
    if isinstance(deadline.due, dt.datetime):
        if deadline.due.utcoffset() is None:
            raise ValueError(f"{deadline.uid}: a timed deadline needs a time zone")
        due = deadline.due.astimezone(dt.UTC)
        event.add("dtstart", due)
        event.add("dtend", due)
    else:
        event.add("dtstart", deadline.due)
        event.add("dtend", deadline.due + dt.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    if deadline.description:
        event.add("description", deadline.description)
    if deadline.url:
        event.add("url", deadline.url)
    if deadline.categories:
        event.add("categories", list(deadline.categories))
    if deadline.alarm_before:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", deadline.summary)
        alarm.add("trigger", -deadline.alarm_before)
        event.add_component(alarm)
    return event
