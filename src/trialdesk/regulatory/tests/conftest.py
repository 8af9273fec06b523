"""Fixtures of the regulatory tests."""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English: a page a German reader opened in an earlier test leaves German active
    in the thread, and the rules' texts (health, refusals) are read in the active language."""
    with translation.override("en-gb"):
        yield
