"""Retention periods per record type, as cited data (retention.json), and when a record's period ends."""

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from trialdesk.privacy.rules.requests import add_months


@dataclass(frozen=True)
class RetentionRule:
    record: str
    label: str
    period: str
    basis: str
    action: str
    starts: str
    years: int | None = None

    def as_json(self) -> dict:
        return {"record": self.record, "period": self.period, "basis": self.basis}


@cache
def rules() -> dict[str, RetentionRule]:
    rows = json.loads(Path(__file__).with_name("retention.json").read_text(encoding="utf-8"))
    return {row["record"]: RetentionRule(**row) for row in rows}


def rule(record: str) -> RetentionRule:
    return rules()[record]


def kept_until(record: str, *, start: dt.date | None, days: int | None = None) -> dt.date | None:
    """The last day a record is kept, from the day its period starts; None while that day is unknown
    (a trial not yet ended keeps its records).

    >>> kept_until("trial_master_file", start=dt.date(2026, 3, 31))
    datetime.date(2051, 3, 31)
    """
    if start is None:
        return None
    found = rule(record)
    if found.years is not None:
        return add_months(start, 12 * found.years)
    return start + dt.timedelta(days=days or 0)


def is_past(record: str, *, start: dt.date | None, today: dt.date, days: int | None = None) -> bool:
    until = kept_until(record, start=start, days=days)
    return until is not None and today > until
