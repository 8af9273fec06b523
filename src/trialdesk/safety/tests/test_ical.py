"""interop.ical: deadlines become a valid RFC 5545 calendar (parsed back with the `icalendar` library)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from trialdesk.interop.ical import Deadline, emit_calendar

STAMP = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def test_timed_and_all_day_deadlines_round_trip():
    due = dt.datetime(2025, 3, 25, 23, 59, 59, tzinfo=ZoneInfo("America/New_York"))
    body = emit_calendar(
        "Trialdesk — crm",
        [
            Deadline("obligation-1@trialdesk", "ONC-A: report to FDA", due, "21 CFR 312.32(c)(1)(i)",
                     "https://example.org/x", ("Safety", "US"), dt.timedelta(hours=24)),
            Deadline("milestone-2@trialdesk", "ONC-A: First participant in", dt.date(2025, 6, 1)),
        ],
        stamped_at=STAMP,
    )  # fmt: skip
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.rstrip().endswith(b"END:VCALENDAR")
    calendar = Calendar.from_ical(body)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    timed, all_day = calendar.walk("VEVENT")
    assert timed.decoded("DTSTART") == dt.datetime(2025, 3, 26, 3, 59, 59, tzinfo=dt.UTC)
    assert timed.decoded("DTSTAMP") == STAMP and str(timed["UID"]) == "obligation-1@trialdesk"
    assert timed.walk("VALARM")[0].decoded("TRIGGER") == -dt.timedelta(hours=24)
    assert all_day.decoded("DTSTART") == dt.date(2025, 6, 1) and all_day.decoded("DTEND") == dt.date(
        2025, 6, 2
    )


def test_long_and_special_text_is_folded_and_escaped():
    text = "Semicolons; commas, and a very long description " * 5
    body = emit_calendar(
        "x", [Deadline("a@t", text, dt.date(2025, 1, 1), description=text)], stamped_at=STAMP
    )
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    assert str(Calendar.from_ical(body).walk("VEVENT")[0]["DESCRIPTION"]) == text


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        emit_calendar("x", [Deadline("a@t", "x", dt.datetime(2025, 1, 1, 12))], stamped_at=STAMP)
