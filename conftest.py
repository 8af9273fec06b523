"""Shared pytest fixtures: the named people and studies every scoping test speaks of, and the clock."""

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
hypothesis_settings.register_profile("large", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pinned_start(value: str, *, real_now: dt.datetime) -> dt.datetime:
    """Where `TRIALDESK_TEST_CLOCK` puts the suite's clock: "HH:MM" is today at that UTC time; an ISO
    date and time with an offset ("2026-03-29T00:30+00:00") is that instant, e.g. a daylight-saving day."""
    if re.fullmatch(r"\d{1,2}:\d{2}", value):
        hours, minutes = (int(part) for part in value.split(":"))
        return real_now.astimezone(dt.UTC).replace(hour=hours, minute=minutes, second=0, microsecond=0)
    start = dt.datetime.fromisoformat(value)
    if start.tzinfo is None:
        raise pytest.UsageError(f"TRIALDESK_TEST_CLOCK={value!r}: give HH:MM (UTC) or a time with an offset")
    return start


# What asks pytest-django for the database (directly or through a fixture such as `world`).
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
)


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the second database's run in `make test`: the "
        "pure rules, parsers and commands without a database give the same answer on either)",
    )


def uses_database(item) -> bool:
    """Whether a test reaches the database: through pytest-django, or (tests/reliability) through
    processes of its own on a database made from DATABASE_URL."""
    return bool(
        item.get_closest_marker("django_db")
        or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        or "tests/reliability/" in item.nodeid
    )


def runs_on_the_second_database(item) -> bool:
    """Tests marked `one_database` (the every-route scoping sweep and the API fuzz: thousands of
    requests whose answers come from the same ORM filters on either database, the longest tests of the
    suite), the page tests (`test_views*.py`, and `test_translated_pages.py`, the pages in another
    language: forms and templates drawn over the same services and selectors) and the API tests
    (`test_api*.py`: schemas and status codes over the same services and selectors) run in the SQLite run
    only, to keep `make test` under 30 minutes; every service, selector, import, command and demo test
    runs on both."""
    return (
        uses_database(item)
        and item.get_closest_marker("one_database") is None
        and not item.path.name.startswith(("test_views", "test_translated_pages", "test_api"))
    )


def starts_first(item) -> bool:
    """The longest tests (the `one_database` sweeps, the reliability tests' own processes): collected
    last (tests/ after src/), they would start when the other xdist worker is nearly done and run on alone
    for minutes; started first, the short tests fill the other worker meanwhile."""
    return item.get_closest_marker("one_database") is not None or "tests/reliability/" in item.nodeid


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not starts_first(item))  # stable: the rest keep their order
    if not config.getoption("--database-tests-only"):
        return
    kept, dropped = [], []
    for item in items:
        (kept if runs_on_the_second_database(item) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True, scope="session")
def suite_clock():
    """With TRIALDESK_TEST_CLOCK set, the whole run happens at that time (the clock still ticks), so
    `TRIALDESK_TEST_CLOCK=23:30 pytest` shows what breaks when UTC and a site's local date differ."""
    value = os.environ.get("TRIALDESK_TEST_CLOCK", "").strip()
    if not value:
        yield None
        return
    start = pinned_start(value, real_now=dt.datetime.now(dt.UTC))
    with time_machine.travel(start, tick=True):
        yield start


class Clock:
    """The one clock tests read and set. It stands still for the test (at the suite's time, real or
    pinned) so that a date taken in the test is the date the code under test sees."""

    def __init__(self, traveller):
        self._traveller = traveller

    def now(self) -> dt.datetime:
        """The current instant, aware, in UTC."""
        return dt.datetime.now(dt.UTC)

    def today(self, where=None) -> dt.date:
        """Today's date at a site (StudySite or Institution), in a zone name, or in UTC: what a site's
        staff would write on paper, and what the code compares their dates with."""
        if where is None:
            zone = dt.UTC
        elif isinstance(where, str):
            zone = ZoneInfo(where)
        else:
            zone = ZoneInfo(getattr(where, "institution", where).time_zone)
        return self.now().astimezone(zone).date()

    def move_to(self, when: dt.datetime | str) -> dt.datetime:
        """Set the clock to `when` (aware, or ISO text such as "2025-03-20T16:00Z"); it stays there."""
        moment = dt.datetime.fromisoformat(when) if isinstance(when, str) else when
        if moment.tzinfo is None:
            raise ValueError(f"{when!r}: say which time zone (e.g. a trailing Z for UTC)")
        self._traveller.move_to(moment, tick=False)
        return moment

    def advance(self, delta: dt.timedelta) -> None:
        self._traveller.shift(delta)


@pytest.fixture
def clock(suite_clock):
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        yield Clock(traveller)


@pytest.fixture
def world(db):
    from tests.factories import build_world

    return build_world()


@pytest.fixture
def client_for(client):
    """A logged-in Django test client for one of the world's people."""
    from django.test import Client

    def login(user):
        c = Client()
        c.force_login(user)
        return c

    return login


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    """Argon2 is deliberately slow; tests use a fast hasher unless they check hashing itself."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A fixed audit key (base64 of 32 bytes), so tests sign the trail without generating a key file.
TEST_AUDIT_KEYS = "test:dHJpYWxkZXNrLXRlc3QtYXVkaXQta2V5LTMyLWJ5dGU="


@pytest.fixture(autouse=True)
def audit_keys(settings):
    """The key that signs the audit trail in tests (setting AUDIT_KEYS, core.audit.keys)."""
    settings.AUDIT_KEYS = TEST_AUDIT_KEYS
    return TEST_AUDIT_KEYS


@pytest.fixture(autouse=True)
def private_data_dir(settings, tmp_path):
    """Files a test writes (documents, uploads awaiting confirmation) go to its own folder, not ./var."""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts and ends in the default language: a page a German or Japanese reader opened
    leaves their language active in the thread, and a later test would read its English texts in it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
