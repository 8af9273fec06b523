"""The randomization options kept apart for a fast start of `stats sample-size` name the engine's measures."""

from trialdesk.analytics.randomization import MEASURES
from trialdesk.statistics.cli import arguments


def test_the_options_offer_the_engines_measures():
    assert arguments.MEASURES == MEASURES
