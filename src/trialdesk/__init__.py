"""Trialdesk: an open-source clinical trial management system."""

__version__ = "0.1.0"
