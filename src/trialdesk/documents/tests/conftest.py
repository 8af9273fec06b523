"""Fixtures of the documents tests: a private data directory per test (the clock is the root conftest's)."""

import pytest
from django.utils import translation


@pytest.fixture
def data_dir(private_data_dir):
    """This test's own data folder (the root conftest gives every test one), to look at what is on disk."""
    return private_data_dir


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a page a German reader opened in an earlier test leaves German active
    in the thread, and the rules' texts (health, refusals) are read in the active language."""
    with translation.override("en-gb"):
        yield
