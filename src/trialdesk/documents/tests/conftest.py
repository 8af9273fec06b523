"""Fixtures of the documents tests: a private data directory per test (the clock is the root conftest's)."""

import pytest


@pytest.fixture
def data_dir(private_data_dir):
    """This test's own data folder (the root conftest gives every test one), to look at what is on disk."""
    return private_data_dir
