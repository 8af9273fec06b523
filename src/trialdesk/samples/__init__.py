"""Biological samples: collection at visits, shipments to laboratories with permits, chain of custody."""
