"""Schemas of the monitoring API (visits: plans, set-ups, visits and reports; quality: the rest)."""
