"""Fixtures of the documents tests: a private data directory per test, a fixed clock."""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def data_dir(private_data_dir):
    """This test's own data folder (the root conftest gives every test one), to look at what is on disk."""
    return private_data_dir


@pytest.fixture
def clock(monkeypatch):
    """Set the time: `clock("2025-03-20T16:00")` (UTC)."""

    def set_now(moment: str) -> dt.datetime:
        fixed = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        monkeypatch.setattr(timezone, "now", lambda: fixed)
        return fixed

    return set_now
