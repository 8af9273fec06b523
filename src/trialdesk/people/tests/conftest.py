"""The people tests work at site 101 (Berlin): their dates are that site's, as its staff write them."""

import pytest


@pytest.fixture
def today(clock, world):
    """Today at site 101, by the test's clock: the date its forms and the services compare with."""
    return clock.today(world.site_a1)
